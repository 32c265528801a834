import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { InstancePause } from '../../ledger/records';
import { clock } from '../../shared/clock';
import { forEachInstance, instanceNameOption, isoTime } from './ledgerItems';

export const description = updateDisplayOptions(
	{ show: { resource: ['ledger'], operation: ['getStatus'] } },
	[instanceNameOption] as INodeProperties[],
);

/** The instance's joins of the last hour and day, its pause, and its records by status. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[][]> {
	return await forEachInstance(this, items, async (ledger, instance) => {
		const status = await ledger.status(instance, clock().now());
		return [
			{
				instance: instance.instance,
				...pauseFields(status.pause),
				joinsLastHour: status.joinsLastHour,
				joinsLastDay: status.joinsLastDay,
				records: status.records,
				ledger: ledger.where,
			},
		];
	});
}

/** A pause as the items show it: `paused` and when it ends, why, and what was heard. */
export function pauseFields(pause: InstancePause | null): IDataObject {
	return {
		paused: pause !== null,
		pausedUntil: isoTime(pause?.until),
		pauseReason: pause?.reason ?? null,
		pauseMessage: pause?.message ?? null,
	};
}
