import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { router } from './actions/router';
import { versionDescription } from './actions/versionDescription';
import { ryzeApiCredentialTest } from './methods/credentialTest';

export class RyzeApi implements INodeType {
	description: INodeTypeDescription = versionDescription;

	methods = {
		credentialTest: { ryzeApiCredentialTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
