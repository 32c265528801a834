import type { AllEntities } from 'n8n-workflow';

type NodeMap = {
	group: 'join';
};

export type RyzeApiType = AllEntities<NodeMap>;
