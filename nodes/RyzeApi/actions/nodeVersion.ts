/**
 * The node's versions: 1 (package 0.1.0) and 1.1, the current one, which every change since is
 * gated on (outputs that keep their index and read Success/Failed/Pending, options in seconds,
 * hints per operation, n8n's Error output, a tool's result alone). Workflows saved with version 1
 * keep version 1's behaviour. `nodeOutputs` (actions/outputs.ts) writes 1.1 out itself: it runs as
 * an expression and may import nothing.
 */
export const CURRENT_VERSION = 1.1;

/** A node saved with version 1 (a missing or odd version reads as current). */
export function isVersion1(typeVersion: unknown): boolean {
	return typeof typeVersion === 'number' && typeVersion < CURRENT_VERSION;
}

/** n8n's display condition for a parameter shown from the current version on. */
export const SHOWN_FROM_CURRENT_VERSION = {
	'@version': [{ _cnd: { gte: CURRENT_VERSION } }],
};
