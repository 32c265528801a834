import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { JoinSuccess } from '../../shared/groupAnswers';
import { JOIN_ANSWER } from '../../shared/groupAnswers';
import { FROM_VERSION_1_1, FROM_VERSION_1_2, isBeforeJoinLedger } from '../nodeVersion';
import { parseInviteIdentifier } from '../../shared/inviteCode';
import { JoinAdmission } from '../../ledger/joinAdmission';
import { withRestriction } from '../../ledger/restriction';
import type { OperationSpec } from '../executeOperation';
import { joinDelayOptions, joinSafetyOptions, joinSafetySettings } from '../options/joinSafety';
import { optionEntries, optionsCollection } from '../options/runOptions';
import { identifierProperty } from './identifier';

// A top-level parameter from version 1.1 (see actions/outputs.ts); version 1 keeps it in Options.
const fromVersion1_1 = FROM_VERSION_1_1;
// As an AI agent's tool the node has no outputs to lay out (actions/outputs.ts, outputLayout).
// An n8n that does not know '@tool' reads it as an unset parameter, never true: it shows them.
const asAiTool = { '@tool': [true] };
/**
 * Where joins that wait for an admin go: a top-level parameter with noDataExpression, since it
 * decides the node's outputs, which n8n computes from the parameters before any item exists (an
 * expression there could not be resolved). Its default is written here only.
 */
const pendingApprovalOutput: INodeProperties = {
	displayName: 'Pending Approval Output',
	name: 'pendingApprovalOutput',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: fromVersion1_1, hide: asAiTool },
	default: 'success',
	options: [
		{
			name: 'Success Output',
			value: 'success',
			description: 'Joins waiting for an admin leave on Success, with status pending_approval',
		},
		{
			name: 'Separate Output',
			value: 'separate',
			description: 'A third output, Pending, for joins waiting for an admin',
		},
	],
	description: "Where joins that wait for a group admin's approval go",
};

const options = optionEntries({
	first: [
		{
			// Version 1's place for it (kept so its workflows keep their outputs); hidden from 1.1 on.
			...pendingApprovalOutput,
			noDataExpression: undefined,
			displayOptions: { show: { '@version': [1] }, hide: asAiTool },
			options: [
				(pendingApprovalOutput.options as INodePropertyOptions[])[0],
				{
					name: 'Separate Output',
					value: 'separate',
					description: 'Three outputs: Joined, Pending and Failed',
				},
			],
		},
	],
	// From 1.2: spaced like a person by default, and the join budget right after the delays.
	replacingFrom1_2: joinDelayOptions,
	afterDelays: joinSafetyOptions,
});

const properties: INodeProperties[] = [
	identifierProperty(
		'e.g. chat.whatsapp.com/AbCdEf…',
		'The group invite link or invite code to join, usually an expression that reads it from the item. Links are read in any common form (with or without https://, /invite/, a trailing slash or a query). Group IDs ending in @g.us and phone numbers are refused. RyzeAPI\'s page: <a href="https://docs.ryzeapi.cloud/en/api/groups/join">Join group</a>.',
	),
	pendingApprovalOutput,
	{
		displayName:
			'Success also receives joins still waiting for an admin (status "pending_approval"). To count only completed joins, choose Separate Output above.',
		name: 'pendingOnSuccessNotice',
		type: 'notice',
		default: '',
		displayOptions: {
			show: { ...fromVersion1_1, pendingApprovalOutput: [pendingApprovalOutput.default as string] },
			hide: asAiTool,
		},
	},
	{
		displayName:
			"Joins are paced to keep the number safe: at most 3 an hour and 10 a day, from 08:00 to 20:00 in the workflow's time zone, 30–60 seconds apart, counted across every execution and worker. Codes already joined send nothing. Items held back leave on Deferred with notBefore. Change it under Options.",
		name: 'joinSafetyNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: FROM_VERSION_1_2, hide: asAiTool },
	},
	optionsCollection(options),
];

const displayOptions = {
	show: {
		resource: ['group'],
		operation: ['join'],
	},
};

export const description = updateDisplayOptions(displayOptions, properties);

/**
 * Joins one group per input item: POST /api/group/join/{instance} with the invite code (joining
 * an open group again answers the same JID). Items with the same code (and instance) cost one
 * request, whose answer goes to each of them. Which output pending approvals take is decided by
 * actions/outputs.ts.
 */
export const spec: OperationSpec<JoinSuccess> = {
	displayName: 'Join Group',
	options,
	operation: (context) => ({
		noun: 'join',
		request: (code) => ({ method: 'POST', route: 'join', body: { identifier: code } }),
		answer: JOIN_ANSWER,
		idempotent: true,
		// From 1.2 a restriction or a throttle pauses the number's joins instead of a retry.
		...(isBeforeJoinLedger(context.getNode().typeVersion) ? {} : { reread: withRestriction }),
	}),
	parseIdentifier: parseInviteIdentifier,
	show: {
		success: ({ status, groupJid, requiresApproval, message, fromLedger }, inviteCode) => ({
			fields: {
				status,
				groupJid,
				requiresApproval,
				inviteCode,
				message,
				...(fromLedger === undefined ? {} : { fromLedger }),
			},
			branch: requiresApproval ? 'pendingApproval' : 'success',
		}),
		sent: (inviteCode) => ({ inviteCode }),
	},
	ledger: {
		admission: (context, runOptions, ledger) => {
			const safety = joinSafetySettings(runOptions, context.getTimezone());
			if (!safety.ok) return safety;
			return { ok: true, value: new JoinAdmission(ledger, safety.value, context.getExecutionId()) };
		},
	},
};
