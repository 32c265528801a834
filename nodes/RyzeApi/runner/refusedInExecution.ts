import { ExpiringMap } from '../shared/expiringMap';
import type { Failure } from '../shared/interfaces';

/**
 * Tokens RyzeAPI refused in an execution, per node. n8n's Retry On Fail (the node's Settings) runs
 * a failed node again in the same execution; after a refused token that would only send the same
 * token again, so the node fails at once with the same error instead. Nothing else can run the
 * node again in that execution: a refused token under Stop ends it. Kept 10 minutes (n8n retries
 * within 5 tries of at most 5 s), at most 1,000 entries, keyed by a hash of the token.
 */
const refusals = new ExpiringMap<string, Failure>(10 * 60_000, 1_000);

export function refusedTokenKey(executionId: string, nodeName: string, tokenKey: string): string {
	return JSON.stringify([executionId, nodeName, tokenKey]);
}

export function rememberRefusal(key: string, failure: Failure): void {
	refusals.set(key, failure);
}

/** The refusal this node already met in this execution with this token, if any. */
export function earlierRefusal(key: string): Failure | undefined {
	return refusals.get(key);
}
