/**
 * Join Group's options for the number's safety (from version 1.2): the join budget, Active Hours,
 * the pauses after WhatsApp restricts or throttles the number, and when a pending approval is
 * asked again. Their defaults follow what careful group entry is reported to need (README,
 * "Joining safely"); written here once, read off these entries.
 */
import type { INodeProperties } from 'n8n-workflow';

import type { JoinSafety } from '../../ledger/joinAdmission';
import { readActiveHours } from '../../ledger/activeHours';
import type { Checked } from '../../shared/interfaces';
import { FROM_VERSION_1_2 } from '../nodeVersion';
import { boundedNumber } from './runnerSettings';

const fromVersion1_2 = { show: FROM_VERSION_1_2 };
const LEDGER = 'counted in the join ledger, across every execution, workflow and worker';

export const joinSafetyOptions: INodeProperties[] = [
	{
		displayName: 'Max Joins Per Hour',
		name: 'maxJoinsPerHour',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 1000, numberPrecision: 0 },
		displayOptions: fromVersion1_2,
		default: 3,
		description: `Most joins on this number in any 60 minutes, ${LEDGER}. Items beyond it leave on Deferred with notBefore. 0: no cap.`,
	},
	{
		displayName: 'Max Joins Per Day',
		name: 'maxJoinsPerDay',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 10000, numberPrecision: 0 },
		displayOptions: fromVersion1_2,
		default: 10,
		description: `Most joins on this number in any 24 hours, ${LEDGER}. People who join groups at scale report 10–20 a day as careful. 0: no cap.`,
	},
	{
		displayName: 'Active Hours From',
		name: 'activeHoursFrom',
		type: 'string',
		displayOptions: fromVersion1_2,
		default: '08:00',
		placeholder: '08:00',
		description:
			"Joins are sent from this time of day (24-hour clock, the workflow's time zone); outside Active Hours items leave on Deferred. Empty here and in To: any hour.",
	},
	{
		displayName: 'Active Hours To',
		name: 'activeHoursTo',
		type: 'string',
		displayOptions: fromVersion1_2,
		default: '20:00',
		placeholder: '20:00',
		description:
			'Joins are sent until this time of day. Before From (e.g. 22:00 to 06:00): the hours span midnight.',
	},
	{
		displayName: 'Pause After a Restriction (Hours)',
		name: 'restrictionPauseHours',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 720, numberPrecision: 1 },
		displayOptions: fromVersion1_2,
		default: 24,
		description:
			'When WhatsApp says it restricted the number (reachout, restricted, locked, banned), no join is sent on it for this long, by any execution or worker. Restrictions reportedly lift after 24–72 hours.',
	},
	{
		displayName: 'Pause After Throttling (Minutes)',
		name: 'throttlePauseMinutes',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1440, numberPrecision: 1 },
		displayOptions: fromVersion1_2,
		default: 15,
		description:
			'When WhatsApp throttles the number (rate-overlimit, or a 429 while the token has requests left), no join is sent on it for this long',
	},
	{
		displayName: 'Ask Pending Approvals Again After (Days)',
		name: 'pendingRecheckDays',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 365, numberPrecision: 1 },
		displayOptions: fromVersion1_2,
		default: 3,
		description:
			'A code the ledger holds as waiting for an admin costs no request until this long after it was asked; then it is joined again',
	},
];

/** Min and Max Delay for Join from version 1.2: spaced like a person, by default. */
export const joinDelayOptions: INodeProperties[] = [
	{
		displayName: 'Min Delay (Seconds)',
		name: 'minDelaySeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 3600, numberPrecision: 1 },
		displayOptions: fromVersion1_2,
		default: 30,
		description: 'Lower bound of the random pause between joins. Must not be more than Max Delay.',
	},
	{
		displayName: 'Max Delay (Seconds)',
		name: 'maxDelaySeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 3600, numberPrecision: 1 },
		displayOptions: fromVersion1_2,
		default: 60,
		description:
			'Upper bound of the random pause between joins. Careful group entry spaces joins 30–60 seconds or more.',
	},
];

/** The node's join-safety options as the ledger applies them, or which one cannot be used. */
export function joinSafetySettings(
	options: Record<string, unknown>,
	timeZone: string,
): Checked<JoinSafety> {
	const numbers: Record<string, number> = {};
	for (const entry of joinSafetyOptions) {
		if (entry.type !== 'number') continue;
		const read = boundedNumber(entry, options[entry.name]);
		if (!read.ok) return read;
		numbers[entry.name] = read.value;
	}
	const text = (name: string) =>
		options[name] ?? joinSafetyOptions.find((entry) => entry.name === name)?.default;
	const activeHours = readActiveHours(text('activeHoursFrom'), text('activeHoursTo'), timeZone);
	if (!activeHours.ok) return activeHours;
	return {
		ok: true,
		value: {
			rules: {
				maxPerHour: numbers.maxJoinsPerHour,
				maxPerDay: numbers.maxJoinsPerDay,
				activeHours: activeHours.value,
			},
			pendingRecheckMs: numbers.pendingRecheckDays * 24 * 3_600_000,
			restrictionPauseMs: numbers.restrictionPauseHours * 3_600_000,
			throttlePauseMs: numbers.throttlePauseMinutes * 60_000,
		},
	};
}
