import type { INodeProperties } from 'n8n-workflow';

import { joinLedgerParameter } from '../../ledger/nodeLedger';
import * as getRecords from './getRecords.operation';
import * as getStatus from './getStatus.operation';
import * as resume from './resume.operation';

export { getRecords, getStatus, resume };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['ledger'] } },
		options: [
			{
				name: 'Get Many Records',
				value: 'getRecords',
				description: 'The joins the ledger holds for the instance, newest first',
				action: 'Get many join records',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: "The instance's joins of the last hour and day, and any pause",
				action: 'Get the join status of an instance',
			},
			{
				name: 'Resume Joins',
				value: 'resume',
				description: 'Lift a pause set after WhatsApp restricted or throttled the number',
				action: 'Resume joins on an instance',
			},
		],
		default: 'getStatus',
	},
	joinLedgerParameter({ show: { resource: ['ledger'] } }),
	...getRecords.description,
	...getStatus.description,
	...resume.description,
];
