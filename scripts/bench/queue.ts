/**
 * n8n's queue mode without n8n: 2, then 4 OS processes, each running the node in n8n's engine on
 * its own codes, all at once on one token (40 per 2 s: as busy as 40 per 20 s, ten times faster).
 * The 429s, the items lost or on Failed, and how close the finish came to the fastest legal one.
 */
import { ACCOUNT_TOKEN, MAIN_INSTANCE, startEmulator } from '../../test/support/emulator/server';
import { fastestLegalFinishMs } from '../../test/support/rateFigures';
import { codesOf, runInProcesses } from '../../test/support/sharedToken';
import { fullWindows, progress, sizes, sum } from './context';
import type { Report } from './report';

const QUEUE = { limit: 40, windowMs: 2_000 };

interface QueueRun {
	requests: number;
	rejected: number;
	lost: number;
	rateLimitedItems: number;
	efficiency: number;
	windowUse: number;
}

export async function benchQueue(report: Report): Promise<void> {
	const runs: Record<number, QueueRun> = {};
	for (const processes of [2, 4]) {
		progress(`${processes} processes sharing one token`);
		const run = (runs[processes] = await queue(processes));
		report.record(
			`queue_429_ratio_${processes}`,
			run.rejected / run.requests,
			`429s ÷ requests, ${processes} processes at once on ${QUEUE.limit} per ${QUEUE.windowMs} ms (${run.rejected}/${run.requests}; ${run.rateLimitedItems} items on Failed as rate_limited)`,
		);
		if (processes === 2)
			report.record(
				'queue_efficiency_2',
				run.efficiency,
				`fastest legal finish ÷ actual, 2 processes started together as a window opens (full windows used ${Math.round(run.windowUse * 100)}%)`,
			);
		else
			report.aside(
				`(4 processes: fastest legal finish ÷ actual ${run.efficiency.toFixed(3)}, full windows used ${Math.round(run.windowUse * 100)}%)`,
			);
	}
	report.record(
		'queue_items_lost',
		runs[2].lost + runs[4].lost,
		'items missing from (or doubled on) the outputs, both multi-process runs',
	);
	report.record(
		'queue_rate_limited_items',
		runs[2].rateLimitedItems + runs[4].rateLimitedItems,
		'items on Failed with reason rate_limited, both multi-process runs',
	);
}

async function queue(processes: number): Promise<QueueRun> {
	const { limit, windowMs } = QUEUE;
	const emulator = await startEmulator({ rateLimit: QUEUE, latencyMs: 2 });
	const itemsEach = Math.round((limit * sizes.queueWindows) / processes);
	const results = await runInProcesses({
		processes,
		itemsEach,
		baseUrl: emulator.url,
		instanceName: MAIN_INSTANCE,
		token: ACCOUNT_TOKEN,
		options: {},
		compiled: true,
		timeoutMs: 600_000,
		// Where in a window a run happens to start would move the finish by up to a window.
		startAtWindowOfMs: windowMs,
	});
	// Every code must come out exactly once, on one output: what does not is lost (or doubled).
	let lost = 0;
	let rateLimitedItems = 0;
	results.forEach((result, index) => {
		const out = new Map<string, number>();
		for (const item of result.outputs.flat()) {
			out.set(item.code, (out.get(item.code) ?? 0) + 1);
			if (item.reason === 'rate_limited') rateLimitedItems++;
		}
		for (const code of codesOf(index, itemsEach)) lost += Math.abs((out.get(code) ?? 0) - 1);
	});
	const joins = emulator.joinRequests();
	await emulator.close();
	const accepted = joins.filter((entry) => entry.status === 200);
	const first = Math.min(...joins.map((entry) => entry.at));
	const last = Math.max(...accepted.map((entry) => entry.at));
	const fastest = fastestLegalFinishMs(first, processes * itemsEach, limit, windowMs);
	const full = fullWindows(joins, windowMs, first, last);
	const acceptedPerWindow = full.map((window) => window.requests - window.rateLimited);
	return {
		requests: joins.length,
		rejected: joins.length - accepted.length,
		lost,
		rateLimitedItems,
		// + one round trip on both sides, so that a run inside one window is not a ratio of zeros.
		efficiency: (fastest + 10) / (last - first + 10),
		windowUse: full.length ? sum(acceptedPerWindow) / full.length / limit : 1,
	};
}
