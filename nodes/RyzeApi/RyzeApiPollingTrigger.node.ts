import type {
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { joinLedgerParameter } from './ledger/nodeLedger';
import { ryzeApiCredentialTest } from './methods/credentialTest';
import { pollGroups } from './polling/pollGroups';
import { instanceNameProperty } from './shared/connection';

// The description stays in this class because n8n's community-node lint rules read it here.
export class RyzeApiPollingTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'RyzeAPI Polling Trigger',
		name: 'ryzeApiPollingTrigger',
		icon: { light: 'file:ryzeapi.svg', dark: 'file:ryzeapi.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ ($parameter["events"] ?? []).map((event) => ({"joined": "Joined", "left": "Left", "disconnected": "Disconnected", "reconnected": "Reconnected"})[event] ?? event).join(", ") }}',
		description:
			'Starts the workflow when the WhatsApp number joins or leaves a group, or its instance disconnects, by asking RyzeAPI at each poll. Works where RyzeAPI cannot reach n8n (a laptop, behind NAT); for instant events, use the RyzeAPI Trigger.',
		defaults: {
			name: 'RyzeAPI Polling Trigger',
		},
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'ryzeApi',
				required: true,
				testedBy: 'ryzeApiCredentialTest',
			},
			{
				// As on the RyzeAPI node: the join ledger in the Redis of n8n's own Redis credential.
				// eslint-disable-next-line n8n-nodes-base/node-class-description-credentials-name-unsuffixed, @n8n/community-nodes/no-credential-reuse, @n8n/community-nodes/valid-credential-references
				name: 'redis',
				required: true,
				displayOptions: { show: { joinLedger: ['redis'] } },
			},
		],
		properties: [
			{
				displayName:
					"Each poll asks RyzeAPI once for the groups the number is in (within the token's rate limit) and starts the workflow for what changed since the last poll. The first poll after you activate the workflow only records the list. Needs no public URL; the RyzeAPI Trigger is instant but needs RyzeAPI to reach n8n.",
				name: 'pollNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [
					{
						name: 'Instance Disconnected',
						value: 'disconnected',
						description: 'The group list answers that the instance is not connected to WhatsApp',
					},
					{
						name: 'Instance Reconnected',
						value: 'reconnected',
						description: 'The group list works again after the instance was disconnected',
					},
					{
						name: 'Joined a Group',
						value: 'joined',
						description:
							'A group in the list that was not there at the last poll: a join, or a join request an admin approved',
					},
					{
						name: 'Left a Group',
						value: 'left',
						description: 'A group no longer in the list: the number left or was removed',
					},
				],
				default: ['joined'],
				description: 'What starts the workflow. None selected: every event.',
			},
			joinLedgerParameter(),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [instanceNameProperty('poll')],
			},
		],
	};

	methods = {
		credentialTest: { ryzeApiCredentialTest },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollGroups.call(this);
	}
}
