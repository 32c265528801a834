import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as group from './group/Group.resource';
import type { RyzeApiType } from './node.type';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter<RyzeApiType>('resource', 0);
	const operation = this.getNodeParameter('operation', 0);
	const ryzeApiNodeData = { resource, operation } as RyzeApiType;

	switch (ryzeApiNodeData.resource) {
		case 'group':
			return await group[ryzeApiNodeData.operation].execute.call(this, items);
		default:
			throw new NodeOperationError(this.getNode(), `The resource "${resource}" is not supported`);
	}
}
