import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as group from './actions/group/Group.resource';
import { router } from './actions/router';
import { ryzeApiCredentialTest } from './methods/credentialTest';

// Evaluated by n8n from the node's parameters: two outputs, or three when pending approvals are separate.
const outputsExpression: `={{${string}}}` = `={{ $parameter.operation === "join" && $parameter.options?.pendingApprovalOutput === "separate" ? ${JSON.stringify(
	[
		{ type: 'main', displayName: 'Joined' },
		{ type: 'main', displayName: 'Pending Approval' },
		{ type: 'main', displayName: 'Error' },
	],
)} : ${JSON.stringify([
	{ type: 'main', displayName: 'Success' },
	{ type: 'main', displayName: 'Error' },
])} }}`;

// The description stays in this class (not in a separate module) because n8n's community-node lint
// rules read the icon and the credential's `testedBy` from here.
export class RyzeApi implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'RyzeAPI',
		name: 'ryzeApi',
		icon: { light: 'file:ryzeapi.svg', dark: 'file:ryzeapi.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{ {"join": "Join Group", "preview": "Preview Invite", "leave": "Leave Group"}[$parameter["operation"]] ?? $parameter["operation"] }}',
		description:
			'Join, preview and leave WhatsApp groups through RyzeAPI, routing every item to a Success or Error output',
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

	methods = {
		credentialTest: { ryzeApiCredentialTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
