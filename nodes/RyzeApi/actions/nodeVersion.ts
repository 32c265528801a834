/**
 * The node's versions. Workflows keep the version they were saved with, and its behaviour:
 * - 1 (package 0.1.0);
 * - 1.1: outputs that keep their index and read Success/Failed/Pending, options in seconds, hints
 *   per operation, n8n's Error output, a tool's result alone;
 * - 1.2, the current one: Join Group keeps the number safe with the join ledger (a budget per
 *   number, a pause on restriction, no request for a code already joined) and a Deferred output.
 * `nodeOutputs` (actions/outputs.ts) writes the versions out itself: it runs as an expression and
 * may import nothing.
 */
export const CURRENT_VERSION = 1.2;

/** A node saved with version 1 (a missing or odd version reads as current). */
export function isVersion1(typeVersion: unknown): boolean {
	return typeof typeVersion === 'number' && typeVersion < 1.1;
}

/** A node saved with 1.1 or earlier: it keeps joining without the join ledger. */
export function isBeforeJoinLedger(typeVersion: unknown): boolean {
	return typeof typeVersion === 'number' && typeVersion < 1.2;
}

/** n8n's display condition for a parameter shown from version 1.1 on. */
export const FROM_VERSION_1_1 = { '@version': [{ _cnd: { gte: 1.1 } }] };

/** n8n's display condition for a parameter shown from version 1.2 on. */
export const FROM_VERSION_1_2 = { '@version': [{ _cnd: { gte: 1.2 } }] };

/** Whether a panel entry's `@version` display condition shows it at this version. */
export function shownAtVersion(
	entry: { displayOptions?: { show?: { '@version'?: unknown } } },
	version: number,
): boolean {
	const conditions = entry.displayOptions?.show?.['@version'];
	if (!Array.isArray(conditions)) return true;
	return conditions.some((condition: unknown) => {
		if (typeof condition === 'number') return condition === version;
		const gte = (condition as { _cnd?: { gte?: unknown } })?._cnd?.gte;
		return typeof gte === 'number' && version >= gte;
	});
}
