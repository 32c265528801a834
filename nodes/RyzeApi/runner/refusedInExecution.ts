import type { Failure } from '../shared/interfaces';

/**
 * Tokens RyzeAPI refused in an execution, per node. n8n's Retry On Fail (the node's Settings) runs
 * a failed node again in the same execution; after a refused token that would only send the same
 * token again, so the node fails at once with the same error instead. Nothing else can run the
 * node again in that execution: a refused token under Stop ends it. Kept 10 minutes (n8n retries
 * within 5 tries of at most 5 s), at most 1,000 entries, keyed by a hash of the token.
 */
const REMEMBERED_MS = 10 * 60_000;
const MAX_ENTRIES = 1_000;

const refusals = new Map<string, { at: number; failure: Failure }>();

export function refusalKey(executionId: string, nodeName: string, tokenKey: string): string {
	return JSON.stringify([executionId, nodeName, tokenKey]);
}

export function rememberRefusal(key: string, failure: Failure, now = Date.now()): void {
	refusals.delete(key);
	refusals.set(key, { at: now, failure });
	// Map order is insertion order: the oldest go first.
	for (const [oldest, entry] of refusals) {
		if (refusals.size <= MAX_ENTRIES && now - entry.at < REMEMBERED_MS) break;
		refusals.delete(oldest);
	}
}

/** The refusal this node already met in this execution with this token, if any. */
export function earlierRefusal(key: string, now = Date.now()): Failure | undefined {
	const entry = refusals.get(key);
	if (entry === undefined) return undefined;
	if (now - entry.at < REMEMBERED_MS) return entry.failure;
	refusals.delete(key);
	return undefined;
}
