import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { ryzeApiCredentialTest } from './methods/credentialTest';
import { joinLedgerParameter } from './ledger/nodeLedger';
import { INSTANCE_STATES } from './trigger/events';
import { DEFAULT_EVENTS } from './trigger/parameters';
import { receiveEvent } from './trigger/receiveEvent';
import { createWebhook, deleteWebhook, isRegistrationCurrent } from './trigger/webhookMethods';

// The description stays in this class because n8n's community-node lint rules read it here.
export class RyzeApiTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'RyzeAPI Trigger',
		name: 'ryzeApiTrigger',
		icon: { light: 'file:ryzeapi.svg', dark: 'file:ryzeapi.dark.svg' },
		group: ['trigger'],
		// 1.1: events also keep the join ledger (temp_banned pauses joins; a group joined marks its
		// pending join). Version 1 keeps only starting the workflow.
		version: [1, 1.1],
		defaultVersion: 1.1,
		// n8n lists this trigger under the action node's entry and searches only that node's aliases:
		// "webhook", "events" and "instance state" are in RyzeApi.node.json too.
		subtitle:
			'={{ $parameter["events"].map((event) => ({"group.flow": "Group Flow", "instance.state": "Instance State", "message.exchange": "Message Exchange", "message.status": "Message Status", "call.update": "Call Update", "label.update": "Label Update"})[event] ?? event).join(", ") }}',
		// n8n shows this in the nodes panel for the whole RyzeAPI entry (the actions are listed under it).
		description:
			'Join, preview, leave and list WhatsApp groups through RyzeAPI, and start workflows on its events. This trigger is instant but needs RyzeAPI to reach n8n; without a public URL, use the RyzeAPI Polling Trigger.',
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
			{
				// As on the RyzeAPI node: the join ledger in the Redis of n8n's own Redis credential.
				// eslint-disable-next-line n8n-nodes-base/node-class-description-credentials-name-unsuffixed, @n8n/community-nodes/no-credential-reuse, @n8n/community-nodes/valid-credential-references
				name: 'redis',
				required: true,
				displayOptions: { show: { joinLedger: ['redis'] } },
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
				default: [...DEFAULT_EVENTS],
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
					"Only changes of these groups start the workflow: group JIDs (or the number alone, @g.us is added) separated by commas, spaces or new lines. Empty: every group. A group's JID is the groupJid of Join Group's, Get Many Groups' and the triggers' items. An entry that is not a group JID stops the activation, naming it.",
			},
			{
				displayName: 'Instance States',
				name: 'instanceStates',
				type: 'multiOptions',
				displayOptions: { show: { events: ['instance.state'] } },
				// In the panel's alphabetical order, as n8n lists options.
				options: Object.entries(INSTANCE_STATES)
					.map(([value, name]) => ({ name, value }))
					.sort((one, other) => one.name.localeCompare(other.name)),
				default: [],
				description:
					'Which connection states start the workflow. None selected: every state, including ones not listed here.',
			},
			joinLedgerParameter({ show: { '@version': [{ _cnd: { gte: 1.1 } }] } }),
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
