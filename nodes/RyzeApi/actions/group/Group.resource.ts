import type { INodeProperties } from 'n8n-workflow';

import * as join from './join.operation';
import * as leave from './leave.operation';
import * as preview from './preview.operation';

export { join, leave, preview };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: {
			show: {
				resource: ['group'],
			},
		},
		options: [
			{
				name: 'Join Group',
				value: 'join',
				description: 'Join a WhatsApp group from its invite link or invite code',
				action: 'Join a group',
			},
			{
				name: 'Leave Group',
				value: 'leave',
				description: 'Leave a WhatsApp group, by its ID, invite link or invite code',
				action: 'Leave a group',
			},
			{
				name: 'Preview Invite',
				value: 'preview',
				description:
					"Read a group's name, size and join rules from its invite link, without joining",
				action: 'Preview a group invite',
			},
		],
		default: 'join',
	},
	...join.description,
	...preview.description,
	...leave.description,
];
