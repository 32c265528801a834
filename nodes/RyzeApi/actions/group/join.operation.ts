import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { JoinSuccess } from '../../helpers/groupAnswers';
import { JOIN_ANSWER } from '../../helpers/groupAnswers';
import { parseInviteIdentifier } from '../../helpers/inviteCode';
import type { Operation } from '../../runner/runOperation';
import { executeOperation } from '../executeOperation';
import { identifierProperty, optionsCollection } from './runOptions';

const properties: INodeProperties[] = [
	identifierProperty(
		'e.g. https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv',
		'The group invite link or invite code to join. Links from chat.whatsapp.com are read in any common form (with or without https://, /invite/, a trailing slash or a query); group IDs (JIDs) and phone numbers are refused.',
	),
	optionsCollection([
		{
			displayName: 'Pending Approval Output',
			name: 'pendingApprovalOutput',
			type: 'options',
			default: 'success',
			options: [
				{
					name: 'Success Output',
					value: 'success',
					description:
						'Joins waiting for an admin go to the Success output with status pending_approval',
				},
				{
					name: 'Separate Output',
					value: 'separate',
					description: 'Three outputs: Joined, Pending Approval and Error',
				},
			],
			description: "Where joins that wait for an admin's approval go",
		},
	]),
];

const displayOptions = {
	show: {
		resource: ['group'],
		operation: ['join'],
	},
};

export const description = updateDisplayOptions(displayOptions, properties);

/** POST /api/group/join/{instance} with the invite code. Joining an open group again answers the same JID. */
export const joinGroup: Operation<JoinSuccess> = {
	noun: 'join',
	request: (code) => ({ method: 'POST', route: 'join', body: { identifier: code } }),
	answer: JOIN_ANSWER,
	idempotent: true,
};

/**
 * Joins one group per input item. Every input item leaves on exactly one output, keeps its own
 * fields and gains the result; pairedItem points at it. Output order follows input order. Items
 * with the same code (and instance) cost one request, whose answer goes to each of them.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[][]> {
	const pendingOutput = this.getNodeParameter('options.pendingApprovalOutput', 0, 'success');
	return await executeOperation.call(this, items, {
		operation: joinGroup,
		displayName: 'Join Group',
		parseIdentifier: parseInviteIdentifier,
		separatePending: pendingOutput === 'separate',
		show: {
			success: ({ status, groupJid, requiresApproval, message }, inviteCode) => ({
				fields: { status, groupJid, requiresApproval, inviteCode, message },
				branch: requiresApproval ? 'pendingApproval' : 'success',
			}),
			sent: (inviteCode) => ({ inviteCode }),
		},
	});
}
