import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { pauseFields } from './getStatus.operation';
import { forEachInstance, instanceNameOption } from './ledgerItems';

export const description = updateDisplayOptions(
	{ show: { resource: ['ledger'], operation: ['resume'] } },
	[instanceNameOption] as INodeProperties[],
);

/**
 * Lifts the instance's pause (after a restriction, a throttle or temp_banned), so its joins go
 * again within the budget. The item says which pause was lifted, if any.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[][]> {
	return await forEachInstance(this, items, async (ledger, instance) => {
		const lifted = await ledger.resume(instance);
		return [{ instance: instance.instance, resumed: lifted !== null, lifted: pauseFields(lifted) }];
	});
}
