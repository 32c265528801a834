import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { LeaveSuccess } from '../../shared/groupAnswers';
import { LEAVE_ANSWER } from '../../shared/groupAnswers';
import { ledgerInstanceOf } from '../../ledger/joinAdmission';
import type { LedgerInstance } from '../../ledger/records';
import { instanceId } from '../../ledger/records';
import { clock } from '../../shared/clock';
import { parseGroupIdentifier, readGroupJid } from '../../shared/inviteCode';
import type { OperationSpec } from '../executeOperation';
import { optionEntries, optionsCollection } from '../options/runOptions';
import { identifierProperty } from './identifier';

const options = optionEntries();

const properties: INodeProperties[] = [
	identifierProperty(
		'e.g. 120363406289005073@g.us',
		'The group\'s ID ending in @g.us (as Join Group returns it in groupJid), or its invite link or invite code. RyzeAPI\'s page: <a href="https://docs.ryzeapi.cloud/en/api/groups/leave">Leave group</a>.',
	),
	optionsCollection(options),
];

const displayOptions = {
	show: {
		resource: ['group'],
		operation: ['leave'],
	},
};

export const description = updateDisplayOptions(displayOptions, properties);

/**
 * Leaves one group per input item: DELETE /api/group/leave/{instance}. Documented as idempotent
 * (leaving again answers 404), so a lost answer is tried again; such a retry may then report
 * not_a_member for a leave that worked. "Not a member" goes to Failed with reason not_a_member.
 */
export const spec: OperationSpec<LeaveSuccess> = {
	displayName: 'Leave Group',
	options,
	operation: () => ({
		noun: 'leave',
		request: (identifier) => ({ method: 'DELETE', route: 'leave', query: { identifier } }),
		answer: LEAVE_ANSWER,
		idempotent: true,
	}),
	parseIdentifier: parseGroupIdentifier,
	show: {
		success: ({ groupJid, message }, identifier) => ({
			fields: { status: 'left', identifier, groupJid, message },
			branch: 'success',
		}),
		sent: (identifier) => ({ identifier }),
	},
	ledger: {
		// From 1.2 the join ledger learns the groups left, by their JIDs and the codes sent.
		afterRun: async (ledger, tasks, results) => {
			const left = new Map<
				string,
				{ instance: LedgerInstance; codes: string[]; groupJids: string[] }
			>();
			for (const [index, result] of results.entries()) {
				if (!result?.ok) continue;
				const task = tasks[index];
				const instance = ledgerInstanceOf(task.connection);
				const entry = left.get(instanceId(instance)) ?? { instance, codes: [], groupJids: [] };
				entry.groupJids.push(result.value.groupJid);
				if (readGroupJid(task.identifier) === undefined) entry.codes.push(task.identifier);
				left.set(instanceId(instance), entry);
			}
			const nowMs = clock().now();
			for (const { instance, codes, groupJids } of left.values()) {
				await ledger.markLeft(instance, { codes, groupJids }, nowMs);
			}
		},
	},
};
