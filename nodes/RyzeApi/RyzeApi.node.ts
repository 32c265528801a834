import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as group from './actions/group/Group.resource';
import { router } from './actions/router';
import * as ledger from './actions/ledger/Ledger.resource';
import { CURRENT_VERSION } from './actions/nodeVersion';
import { outputsExpression } from './actions/outputs';
import { ryzeApiCredentialTest } from './methods/credentialTest';

// The description stays in this class (not in a separate module) because n8n's community-node lint
// rules read the icon and the credential's `testedBy` from here.
export class RyzeApi implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'RyzeAPI',
		name: 'ryzeApi',
		icon: { light: 'file:ryzeapi.svg', dark: 'file:ryzeapi.dark.svg' },
		group: ['output'],
		// 1.1: outputs keep their index in every mode, Pending Approval Output is a top-level
		// parameter. Workflows saved with version 1 keep version 1's outputs (actions/outputs.ts).
		version: [1, 1.1, CURRENT_VERSION],
		defaultVersion: CURRENT_VERSION,
		subtitle:
			'={{ {"join": "Join Group", "preview": "Preview Invite", "leave": "Leave Group"}[$parameter["operation"]] ?? $parameter["operation"] }}',
		description:
			'Join, preview and leave WhatsApp groups from invite links or codes, in bulk, through RyzeAPI. Each item leaves on Success or Failed with the reason.',
		defaults: {
			name: 'RyzeAPI',
		},
		inputs: [NodeConnectionTypes.Main],
		// Computed from the parameters by nodeOutputs, the same function execute routes by.
		outputs: outputsExpression,
		usableAsTool: true,
		credentials: [
			{
				name: 'ryzeApi',
				required: true,
				testedBy: 'ryzeApiCredentialTest',
			},
			{
				// n8n's own Redis credential, when the join ledger is kept in a Redis of the user's: the
				// one users already have for n8n's Redis node (eslint.config.mjs says why it is allowed).
				// eslint-disable-next-line n8n-nodes-base/node-class-description-credentials-name-unsuffixed, @n8n/community-nodes/no-credential-reuse, @n8n/community-nodes/valid-credential-references
				name: 'redis',
				required: true,
				displayOptions: { show: { joinLedger: ['redis'] } },
			},
		],
		properties: [
			{
				// One property for every version: n8n's nodes panel lists an action per resource and
				// operation of each such property, so a second one would list every action twice.
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Group',
						value: 'group',
					},
					{
						name: 'Join Ledger',
						value: 'ledger',
						description: 'The record of joins the node keeps per number: read it, or resume joins',
					},
				],
				default: 'group',
			},
			...group.description,
			...ledger.description,
		],
	};

	methods = {
		credentialTest: { ryzeApiCredentialTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
