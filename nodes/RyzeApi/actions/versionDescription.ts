import type { INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as group from './group/Group.resource';

// Evaluated by n8n from the node's parameters: two outputs, or three when pending approvals are separate.
const outputsExpression: `={{${string}}}` = `={{ $parameter.options?.pendingApprovalOutput === "separate" ? ${JSON.stringify([
	{ type: 'main', displayName: 'Joined' },
	{ type: 'main', displayName: 'Pending Approval' },
	{ type: 'main', displayName: 'Error' },
])} : ${JSON.stringify([
	{ type: 'main', displayName: 'Success' },
	{ type: 'main', displayName: 'Error' },
])} }}`;

export const versionDescription: INodeTypeDescription = {
	displayName: 'RyzeAPI',
	name: 'ryzeApi',
	icon: { light: 'file:ryzeapi.svg', dark: 'file:ryzeapi.dark.svg' },
	group: ['output'],
	version: 1,
	subtitle: '={{ $parameter["operation"] === "join" ? "Join Group" : $parameter["operation"] }}',
	description: 'Join WhatsApp groups through RyzeAPI, routing every item to a Success or Error output',
	defaults: {
		name: 'RyzeAPI',
	},
	inputs: [NodeConnectionTypes.Main],
	outputs: outputsExpression,
	usableAsTool: true,
	credentials: [
		{
			name: 'ryzeApi',
			required: true,
			testedBy: 'ryzeApiCredentialTest',
		},
	],
	properties: [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'Group',
					value: 'group',
				},
			],
			default: 'group',
		},
		...group.description,
	],
};
