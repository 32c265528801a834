import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { JoinSuccess } from '../../shared/groupAnswers';
import { JOIN_ANSWER } from '../../shared/groupAnswers';
import { SHOWN_FROM_CURRENT_VERSION } from '../nodeVersion';
import { parseInviteIdentifier } from '../../shared/inviteCode';
import type { Operation } from '../../runner/runOperation';
import { executeOperation } from '../executeOperation';
import { identifierProperty, optionsCollection } from './runOptions';

// From version 1.1 (see actions/outputs.ts); version 1 keeps the option inside Options.
const stableOutputs = SHOWN_FROM_CURRENT_VERSION;
// As an AI agent's tool the node has no outputs to lay out (actions/outputs.ts, outputLayout).
// An n8n that does not know '@tool' reads it as an unset parameter, never true: it shows them.
const asAiTool = { '@tool': [true] };

const properties: INodeProperties[] = [
	identifierProperty(
		'e.g. chat.whatsapp.com/AbCdEf…',
		'The group invite link or invite code to join, usually an expression that reads it from the item. Links are read in any common form (with or without https://, /invite/, a trailing slash or a query). Group IDs ending in @g.us and phone numbers are refused. RyzeAPI\'s page: <a href="https://docs.ryzeapi.cloud/en/api/groups/join">Join group</a>.',
	),
	{
		// Top level with noDataExpression: it decides the node's outputs, which n8n computes from
		// the parameters before any item exists (an expression there could not be resolved).
		displayName: 'Pending Approval Output',
		name: 'pendingApprovalOutput',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: stableOutputs, hide: asAiTool },
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
	},
	{
		displayName:
			'Success also receives joins still waiting for an admin (status "pending_approval"). To count only completed joins, choose Separate Output above.',
		name: 'pendingOnSuccessNotice',
		type: 'notice',
		default: '',
		displayOptions: {
			show: { ...stableOutputs, pendingApprovalOutput: ['success'] },
			hide: asAiTool,
		},
	},
	optionsCollection([
		{
			// Version 1's place for it (kept so its workflows keep their outputs); hidden from 1.1 on.
			displayName: 'Pending Approval Output',
			name: 'pendingApprovalOutput',
			type: 'options',
			displayOptions: { show: { '@version': [1] }, hide: asAiTool },
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
					description: 'Three outputs: Joined, Pending and Failed',
				},
			],
			description: "Where joins that wait for a group admin's approval go",
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
	// Which output pending approvals take is the outputs' business (actions/outputs.ts, read by executeOperation).
	return await executeOperation.call(this, items, {
		operation: joinGroup,
		displayName: 'Join Group',
		parseIdentifier: parseInviteIdentifier,
		show: {
			success: ({ status, groupJid, requiresApproval, message }, inviteCode) => ({
				fields: { status, groupJid, requiresApproval, inviteCode, message },
				branch: requiresApproval ? 'pendingApproval' : 'success',
			}),
			sent: (inviteCode) => ({ inviteCode }),
		},
	});
}
