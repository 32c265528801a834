/**
 * What every scenario of `npm run bench` shares: the sizes (full or --quick), the node as built in
 * dist/, one run of it in n8n's engine against the emulator, and the little arithmetic they print.
 */
import type { INodeType } from 'n8n-workflow';

import type { RyzeApiEmulator } from '../../test/support/emulator/server';
import { ACCOUNT_TOKEN, MAIN_INSTANCE } from '../../test/support/emulator/server';
import type { RunResult } from '../../test/support/engine';
import { runRyzeApiNode } from '../../test/support/engine';
import type { LoggedJoin, WindowFigures } from '../../test/support/rateFigures';
import { countPerWindow } from '../../test/support/rateFigures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { RyzeApi } = require('../../dist/nodes/RyzeApi/RyzeApi.node') as {
	RyzeApi: new () => INodeType;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { closeDispatchers } = require('../../dist/nodes/RyzeApi/transport/pools') as {
	closeDispatchers(): Promise<void>;
};

export const quick = process.argv.includes('--quick');

export const sizes = quick
	? {
			pacingWindows: 6,
			limit: 10,
			windowMs: 1_000,
			dedupeItems: 300,
			speedItems: 500,
			small: 2_000,
			large: 20_000,
			queueWindows: 4.5,
			ledgerItems: 1_000,
		}
	: {
			pacingWindows: 8,
			limit: 20,
			windowMs: 2_000,
			dedupeItems: 3_000,
			speedItems: 2_000,
			small: 10_000,
			large: 100_000,
			queueWindows: 8.5,
			ledgerItems: 5_000,
		};

/** "No limit": the headers still come, as they always do from RyzeAPI, with a limit no run reaches. */
export const UNLIMITED = { rateLimit: { limit: 1_000_000_000, windowMs: 60_000 } };

export function progress(message: string): void {
	console.error(`[bench] ${message}`);
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

/** `count` items with an invite code each, `distinct` different codes among them. */
export const codes = (count: number, distinct = count) =>
	Array.from({ length: count }, (_, i) => ({ link: `OpenBench${i % distinct}` }));

/**
 * Joins `items` with the node in n8n's engine against the emulator, with these Options: version
 * 1.1 (no join ledger) unless another is given, on the credential's instance unless named.
 */
export async function runOurs(
	emulator: RyzeApiEmulator,
	items: Array<{ link: string }>,
	options = {},
	run: { typeVersion?: number; instanceName?: string } = {},
): Promise<{ result: RunResult; ms: number }> {
	const started = performance.now();
	const result = await runRyzeApiNode({
		nodeType: new RyzeApi(),
		items,
		typeVersion: run.typeVersion,
		parameters: { resource: 'group', operation: 'join', identifier: '={{ $json.link }}', options },
		credentials: {
			baseUrl: emulator.url,
			instanceName: run.instanceName ?? MAIN_INSTANCE,
			token: ACCOUNT_TOKEN,
		},
	});
	return { result, ms: performance.now() - started };
}

/** Items on all the outputs together. */
export function itemsOut(result: RunResult): number {
	return (result.outputs ?? []).reduce((sum, output) => sum + output.length, 0);
}

/** The windows the run covered whole: from the one after its start to the one before its end. */
export function fullWindows(
	joins: readonly LoggedJoin[],
	windowMs: number,
	fromMs: number,
	toMs: number,
): WindowFigures[] {
	return countPerWindow(joins, windowMs, {
		fromMs: (Math.floor(fromMs / windowMs) + 1) * windowMs,
		toMs: (Math.floor(toMs / windowMs) - 1) * windowMs,
	});
}

export function sum(values: number[]): number {
	return values.reduce((a, b) => a + b, 0);
}
