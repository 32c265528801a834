import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { ryzeApiCredentialTest } from './methods/credentialTest';
import { receiveEvent } from './trigger/receiveEvent';
import { createWebhook, deleteWebhook, isRegistrationCurrent } from './trigger/webhookMethods';

// The description stays in this class because n8n's community-node lint rules read it here.
export class RyzeApiTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'RyzeAPI Trigger',
		name: 'ryzeApiTrigger',
		icon: { light: 'file:ryzeapi.svg', dark: 'file:ryzeapi.dark.svg' },
		group: ['trigger'],
		version: 1,
		// n8n lists this trigger under the action node's entry and searches only that node's aliases:
		// "webhook", "events" and "instance state" are in RyzeApi.node.json too.
		subtitle:
			'={{ $parameter["events"].map((event) => ({"group.flow": "Group Flow", "instance.state": "Instance State", "message.exchange": "Message Exchange", "message.status": "Message Status", "call.update": "Call Update", "label.update": "Label Update"})[event] ?? event).join(", ") }}',
		description:
			'Starts the workflow when RyzeAPI sends a WhatsApp event: group changes, connection states, messages, receipts, calls, labels',
		defaults: {
			name: 'RyzeAPI Trigger',
		},
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'ryzeApi',
				required: true,
				testedBy: 'ryzeApiCredentialTest',
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'ryzeapi',
			},
		],
		properties: [
			{
				displayName:
					'RyzeAPI allows 3 enabled webhooks per instance: this trigger uses one while its workflow is active, and another while the editor listens for a test event. It registers and removes its own, never your "default" webhook.',
				name: 'slotsNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: [
					{
						name: 'Call Update',
						value: 'call.update',
						description: 'Calls: offer, accepted, rejected, terminated, notification, latency',
					},
					{
						name: 'Group Flow',
						value: 'group.flow',
						description:
							'Group changes: members joined, left, promoted or demoted, and metadata (name, topic, announce, link, …)',
					},
					{
						name: 'Instance State',
						value: 'instance.state',
						description: 'Connection changes: connected, qr_ready, temp_banned, logged_out, …',
					},
					{
						name: 'Label Update',
						value: 'label.update',
						description: 'Label changes',
					},
					{
						name: 'Message Exchange',
						value: 'message.exchange',
						description:
							'Messages sent and received: text, media, stickers, documents, polls, contacts, locations, edits, revocations',
					},
					{
						name: 'Message Status',
						value: 'message.status',
						description: 'Receipts: delivered, read, played, and the like',
					},
				],
				default: ['group.flow', 'instance.state'],
				description: 'The events that start the workflow; RyzeAPI sends only these',
			},
			{
				displayName: 'Group Changes',
				name: 'groupChanges',
				type: 'multiOptions',
				displayOptions: { show: { events: ['group.flow'] } },
				options: [
					{ name: 'Demoted', value: 'demoted', description: 'A member lost admin rights' },
					{ name: 'Joined', value: 'joined', description: 'A member joined or was added' },
					{ name: 'Left', value: 'left', description: 'A member left or was removed' },
					{
						name: 'Other',
						value: 'other',
						description:
							'Name, description, settings, link and any change not recognised as one of the others',
					},
					{ name: 'Promoted', value: 'promoted', description: 'A member became an admin' },
				],
				default: [],
				description: 'Which group changes start the workflow. None selected: every change.',
			},
			{
				displayName: 'Group JIDs',
				name: 'groupJids',
				type: 'string',
				displayOptions: { show: { events: ['group.flow'] } },
				default: '',
				placeholder: '120363406289005073@g.us, 120363406289005074@g.us',
				description:
					'Only changes of these groups start the workflow: group JIDs (or the number alone, @g.us is added) separated by commas, spaces or new lines. Empty: every group. An entry that is not a group JID stops the activation.',
			},
			{
				displayName: 'Instance States',
				name: 'instanceStates',
				type: 'multiOptions',
				displayOptions: { show: { events: ['instance.state'] } },
				options: [
					{ name: 'Client Outdated', value: 'client_outdated' },
					{ name: 'Connect Failure', value: 'connect_failure' },
					{ name: 'Connected', value: 'connected' },
					{ name: 'Connecting', value: 'connecting' },
					{ name: 'Disconnected', value: 'disconnected' },
					{ name: 'Keepalive Restored', value: 'keepalive_restored' },
					{ name: 'Keepalive Timeout', value: 'keepalive_timeout' },
					{ name: 'Logged Out', value: 'logged_out' },
					{ name: 'Manual Reconnect', value: 'manual_reconnect' },
					{ name: 'Pair Error', value: 'pair_error' },
					{ name: 'Pair Success', value: 'pair_success' },
					{ name: 'QR Ready', value: 'qr_ready' },
					{ name: 'Stream Error', value: 'stream_error' },
					{ name: 'Stream Replaced', value: 'stream_replaced' },
					{ name: 'Temporarily Banned', value: 'temp_banned' },
					{ name: 'Unknown', value: 'unknown' },
				],
				default: [],
				description:
					'Which connection states start the workflow. None selected: every state, including ones not listed here.',
			},
		],
	};

	methods = {
		credentialTest: { ryzeApiCredentialTest },
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await isRegistrationCurrent.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await createWebhook.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await deleteWebhook.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveEvent.call(this);
	}
}
