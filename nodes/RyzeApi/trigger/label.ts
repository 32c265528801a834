import { createHash } from 'node:crypto';

const WORKFLOW_ID_LENGTH = 32;

/**
 * The label of one trigger node's webhook at RyzeAPI: `n8n-<workflow id>-<hash>` while the workflow
 * is active, `n8n-test-<workflow id>-<hash>` while the editor listens for a test event, so the two
 * never overwrite each other. The workflow id lets a person find the workflow that owns a label
 * (its editor URL ends with it); the hash of the workflow id and the node id tells two trigger
 * nodes of one workflow apart. Never `default` (the user's own webhook). Pure.
 */
export function webhookLabel(
	workflowId: string | undefined,
	nodeId: string,
	listeningInEditor: boolean,
): string {
	const readableId =
		(workflowId ?? '').replace(/[^A-Za-z0-9_-]/g, '').slice(0, WORKFLOW_ID_LENGTH) || 'unsaved';
	const hash = createHash('sha256')
		.update(JSON.stringify([workflowId ?? '', nodeId]))
		.digest('hex')
		.slice(0, 10);
	return `n8n-${listeningInEditor ? 'test-' : ''}${readableId}-${hash}`;
}
