import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationSpec } from './executeOperation';
import { executeOperation } from './executeOperation';
import * as group from './group/Group.resource';
import * as ledger from './ledger/Ledger.resource';
import type { RyzeApiType } from './node.type';

/**
 * Resource and operation → what runs: a group operation's spec, run by the flow every group
 * operation shares; a ledger operation's own execute.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter<RyzeApiType>('resource', 0);
	const operation = this.getNodeParameter('operation', 0);
	const ryzeApiNodeData = { resource, operation } as RyzeApiType;

	switch (ryzeApiNodeData.resource) {
		case 'group':
			return await executeOperation.call(
				this,
				items,
				group[ryzeApiNodeData.operation].spec as OperationSpec<unknown>,
			);
		case 'ledger':
			return await ledger[ryzeApiNodeData.operation].execute.call(this, items);
		default:
			throw new NodeOperationError(this.getNode(), `The resource "${resource}" is not supported`);
	}
}
