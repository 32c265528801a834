import type { AllEntities } from 'n8n-workflow';

type NodeMap = {
	group: 'join' | 'preview' | 'leave';
};

export type RyzeApiType = AllEntities<NodeMap>;
