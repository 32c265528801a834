import type { INodeProperties } from 'n8n-workflow';

import * as join from './join.operation';

export { join };

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
		],
		default: 'join',
	},
	...join.description,
];
