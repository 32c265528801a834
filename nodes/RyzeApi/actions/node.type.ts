import type { AllEntities } from 'n8n-workflow';

type NodeMap = {
	group: 'join' | 'preview' | 'leave' | 'getMany';
	ledger: 'getRecords' | 'getStatus' | 'resume';
};

export type RyzeApiType = AllEntities<NodeMap>;
