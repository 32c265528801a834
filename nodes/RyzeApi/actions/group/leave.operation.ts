import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { LeaveSuccess } from '../../shared/groupAnswers';
import { LEAVE_ANSWER } from '../../shared/groupAnswers';
import { parseGroupIdentifier } from '../../shared/inviteCode';
import type { Operation } from '../../runner/runOperation';
import { executeOperation } from '../executeOperation';
import { identifierProperty, optionsCollection } from './runOptions';

const properties: INodeProperties[] = [
	identifierProperty(
		'e.g. 120363406289005073@g.us',
		'The group\'s ID ending in @g.us (as Join Group returns it in groupJid), or its invite link or invite code. RyzeAPI\'s page: <a href="https://docs.ryzeapi.cloud/en/api/groups/leave">Leave group</a>.',
	),
	optionsCollection(),
];

const displayOptions = {
	show: {
		resource: ['group'],
		operation: ['leave'],
	},
};

export const description = updateDisplayOptions(displayOptions, properties);

/**
 * DELETE /api/group/leave/{instance}. Documented as idempotent (leaving again answers 404), so a
 * lost answer is tried again; such a retry may then report not_a_member for a leave that worked.
 */
export const leaveGroup: Operation<LeaveSuccess> = {
	noun: 'leave',
	request: (identifier) => ({ method: 'DELETE', route: 'leave', query: { identifier } }),
	answer: LEAVE_ANSWER,
	idempotent: true,
};

/** Leaves one group per input item; "not a member" goes to Error with reason not_a_member. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[][]> {
	return await executeOperation.call(this, items, {
		operation: leaveGroup,
		displayName: 'Leave Group',
		parseIdentifier: parseGroupIdentifier,
		show: {
			success: ({ groupJid, message }, identifier) => ({
				fields: { status: 'left', identifier, groupJid, message },
				branch: 'success',
			}),
			sent: (identifier) => ({ identifier }),
		},
	});
}
