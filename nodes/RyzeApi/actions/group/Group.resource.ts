import type { INodeProperties } from 'n8n-workflow';

import { joinLedgerParameter } from '../../ledger/nodeLedger';
import { FROM_VERSION_1_2 } from '../nodeVersion';

import * as getMany from './getMany.operation';
import * as join from './join.operation';
import * as leave from './leave.operation';
import * as preview from './preview.operation';

export { getMany, join, leave, preview };

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
				name: 'Get Many Groups',
				value: 'getMany',
				description: 'List the groups the number is in: one item per group',
				action: 'Get many groups',
			},
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
	// From 1.2 Join and Leave keep the join ledger; its place is chosen here.
	joinLedgerParameter({
		show: { resource: ['group'], operation: ['join', 'leave'], ...FROM_VERSION_1_2 },
		hide: { '@tool': [true] },
	}),
	...join.description,
	...preview.description,
	...getMany.description,
	...leave.description,
];
