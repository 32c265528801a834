import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { JoinStatus } from '../../ledger/records';
import { resultLimit, returnAllProperties } from '../options/returnAll';
import { forEachInstance, instanceNameOption, isoTime } from './ledgerItems';

const properties: INodeProperties[] = [
	{
		displayName: 'Statuses',
		name: 'statuses',
		type: 'multiOptions',
		options: [
			{ name: 'Failed', value: 'failed' },
			{ name: 'Joined', value: 'joined' },
			{ name: 'Left', value: 'left' },
			{ name: 'Pending Approval', value: 'pending_approval' },
			{ name: 'Requested', value: 'requested', description: 'Sent, its answer not yet recorded' },
		],
		default: [],
		description: 'Only records with these statuses. None selected: every record.',
	},
	...returnAllProperties,
	instanceNameOption,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['ledger'], operation: ['getRecords'] } },
	properties,
);

/** The ledger's records of the instance, newest first: one item each. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[][]> {
	return await forEachInstance(this, items, async (ledger, instance, itemIndex) => {
		const statuses = this.getNodeParameter('statuses', itemIndex, []) as JoinStatus[];
		const limit = resultLimit(this, itemIndex);
		const records = (await ledger.records(instance))
			.filter((record) => statuses.length === 0 || statuses.includes(record.status))
			.slice(0, limit);
		return records.map((record): IDataObject => ({
			instance: instance.instance,
			inviteCode: record.code,
			status: record.status,
			groupJid: record.groupJid,
			reason: record.reason,
			requestedAt: isoTime(record.requestedAt),
			resolvedAt: isoTime(record.resolvedAt),
		}));
	});
}
