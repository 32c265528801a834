/**
 * `npm run bench [-- --quick]`: throughput and pacing of the Join Group node in n8n's engine
 * against the emulator. Prints a table, then one JSON object as the last line. Every figure is a
 * count or a ratio of runs measured side by side in this process; nothing here is a test.
 */
import '../test/support/env';

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import type { INodeType, IVersionedNodeType } from 'n8n-workflow';
import { Agent } from 'undici';

import type { RyzeApiEmulator } from '../test/support/emulator/server';
import { ACCOUNT_TOKEN, MAIN_INSTANCE, startEmulator } from '../test/support/emulator/server';
import type { RunResult } from '../test/support/engine';
import { ensureCachedInstall } from '../test/support/n8n/cachedInstall';
import { runNode, runRyzeApiNode, shutDownEngine } from '../test/support/engine';
import { codesOf, runInProcesses } from '../test/support/sharedToken';
import { fastestLegalFinishMs } from '../test/support/rateFigures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RyzeApi } = require('../dist/nodes/RyzeApi/RyzeApi.node') as {
	RyzeApi: new () => INodeType;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { closeDispatchers } = require('../dist/nodes/RyzeApi/transport') as {
	closeDispatchers(): Promise<void>;
};

const quick = process.argv.includes('--quick');
const sizes = quick
	? {
			pacingWindows: 6,
			limit: 10,
			windowMs: 1_000,
			dedupeItems: 300,
			speedItems: 500,
			small: 2_000,
			large: 20_000,
			queueWindows: 4.5,
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
		};
/** The processes sharing one token: 40 per 2 s, as busy as the issue's 40 per 20 s, ten times faster. */
const QUEUE = { limit: 40, windowMs: 2_000 };
/** The node's default "Requests in Flight"; the bare undici loop uses the same. */
const CONCURRENCY = defaultConcurrency();

function defaultConcurrency(): number {
	const options = new RyzeApi().description.properties.find(
		(property) => property.name === 'options',
	);
	const concurrency = options?.options?.find(
		(option) => 'name' in option && option.name === 'concurrency',
	);
	return Number((concurrency as { default?: unknown } | undefined)?.default);
}
/** "No limit": the headers still come, as they always do from RyzeAPI, with a limit no run reaches. */
const UNLIMITED = { rateLimit: { limit: 1_000_000_000, windowMs: 60_000 } };

const rows: Array<[string, string]> = [];
const figures: Record<string, number | null> = {};

function progress(message: string): void {
	console.error(`[bench] ${message}`);
}

function record(key: string, value: number | null, note: string): void {
	figures[key] = value === null ? null : Math.round(value * 1000) / 1000;
	rows.push([key, `${value === null ? 'n/a' : figures[key]}  ${note}`]);
}

const SPEED_ROUNDS = 3;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

const codes = (count: number, distinct = count) =>
	Array.from({ length: count }, (_, i) => ({ link: `OpenBench${i % distinct}` }));

function credentialsFor(emulator: RyzeApiEmulator) {
	return { baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: ACCOUNT_TOKEN };
}

async function runOurs(
	emulator: RyzeApiEmulator,
	items: Array<{ link: string }>,
	options = {},
): Promise<{ result: RunResult; ms: number }> {
	const started = performance.now();
	const result = await runRyzeApiNode({
		nodeType: new RyzeApi(),
		items,
		parameters: { resource: 'group', operation: 'join', identifier: '={{ $json.link }}', options },
		credentials: credentialsFor(emulator),
	});
	return { result, ms: performance.now() - started };
}

function itemsOut(result: RunResult): number {
	return (result.outputs ?? []).reduce((sum, output) => sum + output.length, 0);
}

/** Joins the emulator accepted per rate-limit window, over the windows the run fully covered. */
function fullWindowCounts(
	emulator: RyzeApiEmulator,
	windowMs: number,
	fromMs: number,
	toMs: number,
): number[] {
	const counts = new Map<number, number>();
	for (const entry of emulator.joinRequests()) {
		if (entry.status === 429 || entry.identifier === 'OpenCompetitor') continue;
		const window = Math.floor(entry.at / windowMs);
		counts.set(window, (counts.get(window) ?? 0) + 1);
	}
	const first = Math.floor(fromMs / windowMs) + 1;
	const last = Math.floor(toMs / windowMs) - 1;
	const full: number[] = [];
	for (let window = first; window <= last; window++) full.push(counts.get(window) ?? 0);
	return full;
}

async function pacing(withCompetitor: boolean): Promise<{
	efficiency: number;
	competitorShare: number;
	rateLimited: number;
	lost: number;
	ourRequests: number;
	windows: number;
	idleMs: number;
}> {
	const { limit, windowMs, pacingWindows } = sizes;
	const emulator = await startEmulator({ rateLimit: { limit, windowMs }, latencyMs: 2 });
	const competitor = withCompetitor
		? competeFor(emulator, Math.round(limit * 0.4), windowMs)
		: undefined;
	// Enough items to keep the budget busy for the whole span: what the competitor leaves us.
	const items = codes(Math.round(limit * (withCompetitor ? 0.6 : 1) * pacingWindows));
	const started = Date.now();
	const { result } = await runOurs(emulator, items);
	const finished = Date.now();
	await competitor?.stop();
	const ours = emulator.joinRequests().filter((entry) => entry.identifier !== 'OpenCompetitor');
	const theirs = emulator
		.joinRequests()
		.filter((entry) => entry.identifier === 'OpenCompetitor' && entry.status === 200);
	const counts = fullWindowCounts(emulator, windowMs, started, finished);
	const idle = windowStartIdle(ours, windowMs, started, finished);
	const ourShare = withCompetitor ? limit - Math.round(limit * 0.4) : limit;
	const efficiency = counts.length
		? counts.reduce((a, b) => a + b, 0) / counts.length / ourShare
		: 0;
	await emulator.close();
	return {
		efficiency,
		competitorShare:
			theirs.length /
			Math.max(1, theirs.length + ours.filter((entry) => entry.status === 200).length),
		rateLimited: ours.filter((entry) => entry.status === 429).length,
		lost: items.length - itemsOut(result),
		ourRequests: ours.length,
		windows: counts.length,
		idleMs: idle,
	};
}

/**
 * How long each full window stayed unused at its start: from the window's start to the first of
 * our requests the emulator received in it (the median over the windows).
 */
function windowStartIdle(
	requests: Array<{ at: number; status?: number }>,
	windowMs: number,
	fromMs: number,
	toMs: number,
): number {
	const first = new Map<number, number>();
	for (const entry of requests) {
		const window = Math.floor(entry.at / windowMs);
		if (!first.has(window)) first.set(window, entry.at - window * windowMs);
	}
	const full: number[] = [];
	for (let w = Math.floor(fromMs / windowMs) + 1; w <= Math.floor(toMs / windowMs) - 1; w++) {
		const idle = first.get(w);
		if (idle !== undefined) full.push(idle);
	}
	return full.length ? median(full) : 0;
}

/**
 * Another program on the same token (another n8n worker, say) that spends `perWindow` requests
 * of every window as soon as the window opens.
 */
function competeFor(emulator: RyzeApiEmulator, perWindow: number, windowMs: number) {
	const agent = new Agent();
	let running = true;
	const loop = (async () => {
		while (running) {
			const nextWindow = Math.ceil((Date.now() + 1) / windowMs) * windowMs;
			await new Promise((resolve) => setTimeout(resolve, nextWindow - Date.now() + 5));
			for (let i = 0; i < perWindow && running; i++) {
				await agent
					.request({
						origin: emulator.url,
						path: `/api/group/join/${MAIN_INSTANCE}`,
						method: 'POST',
						headers: { token: ACCOUNT_TOKEN, 'content-type': 'application/json' },
						body: JSON.stringify({ identifier: 'OpenCompetitor' }),
					})
					.then(async (response) => await response.body.dump());
			}
		}
	})();
	return {
		stop: async () => {
			running = false;
			await loop;
			await agent.close();
		},
	};
}

/**
 * `processes` OS processes, each running the node in n8n's engine on its own distinct codes, all
 * at once, on one emulator and one token (n8n's queue mode: one process per worker).
 */
async function queue(processes: number): Promise<{
	requests: number;
	rejected: number;
	lost: number;
	rateLimitedItems: number;
	efficiency: number;
	windowUse: number;
}> {
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
	const accepted = joins.filter((entry) => entry.status === 200);
	await emulator.close();
	const first = Math.min(...joins.map((entry) => entry.at));
	const last = Math.max(...accepted.map((entry) => entry.at));
	const fastest = fastestLegalFinishMs(first, processes * itemsEach, limit, windowMs);
	const counts = fullWindowCounts(emulator, windowMs, first, last);
	return {
		requests: joins.length,
		rejected: joins.length - accepted.length,
		lost,
		rateLimitedItems,
		// + one round trip on both sides, so that a run inside one window is not a ratio of zeros.
		efficiency: (fastest + 10) / (last - first + 10),
		windowUse: counts.length ? counts.reduce((a, b) => a + b, 0) / counts.length / limit : 1,
	};
}

async function dedupe(): Promise<{ requests: number; distinct: number }> {
	const emulator = await startEmulator(UNLIMITED);
	const distinct = sizes.dedupeItems / 3;
	await runOurs(emulator, codes(sizes.dedupeItems, distinct));
	const requests = emulator.joinRequests().length;
	await emulator.close();
	return { requests, distinct };
}

/** n8n's own HTTP Request node, from n8n-nodes-base installed into the cache for the benchmark only. */
let httpRequestNode: Promise<(INodeType | IVersionedNodeType) | undefined> | undefined;
function loadHttpRequestNode(): Promise<(INodeType | IVersionedNodeType) | undefined> {
	httpRequestNode ??= (async () => {
		const install = await ensureCachedInstall({
			name: 'bench-nodes-base',
			dependencies: { 'n8n-nodes-base': '2.8.1' },
			needBytes: 1024 ** 3,
			ignoreScripts: true,
		}).catch((error: unknown) => ({
			ok: false as const,
			reason: error instanceof Error ? error.message : String(error),
		}));
		if (!install.ok) {
			console.error(`No HTTP Request node comparison: ${install.reason}.`);
			return undefined;
		}
		if (install.installedNow)
			console.error(
				`Installed n8n-nodes-base into ${install.dir} in ${install.seconds.toFixed(0)} s.`,
			);
		const entry = join(
			install.dir,
			'node_modules',
			'n8n-nodes-base',
			'dist',
			'nodes',
			'HttpRequest',
			'HttpRequest.node.js',
		);
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { HttpRequest } = require(entry) as { HttpRequest: new () => IVersionedNodeType };
		return new HttpRequest();
	})();
	return httpRequestNode;
}

async function httpRequestNodeMs(
	emulator: RyzeApiEmulator,
	items: Array<{ link: string }>,
): Promise<number | null> {
	const httpRequest = await loadHttpRequestNode();
	if (!httpRequest) return null;
	const started = performance.now();
	const result = await runNode({
		nodeType: httpRequest,
		typeName: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		items,
		parameters: {
			method: 'POST',
			url: `${emulator.url}/api/group/join/${MAIN_INSTANCE}`,
			sendHeaders: true,
			headerParameters: { parameters: [{ name: 'token', value: ACCOUNT_TOKEN }] },
			sendBody: true,
			bodyParameters: { parameters: [{ name: 'identifier', value: '={{ $json.link }}' }] },
			options: {},
		},
		credentials: {},
	});
	const ms = performance.now() - started;
	if (result.error || itemsOut(result) !== items.length) {
		console.error(
			`The HTTP Request node run failed: ${result.error?.message ?? `${itemsOut(result)} items out`}`,
		);
		return null;
	}
	return ms;
}

/** The same requests with bare undici at the same concurrency: the floor any node pays. */
async function bareUndiciMs(
	emulator: RyzeApiEmulator,
	items: Array<{ link: string }>,
): Promise<number> {
	const agent = new Agent({ connections: 32 });
	const started = performance.now();
	let next = 0;
	await Promise.all(
		Array.from({ length: CONCURRENCY }, async () => {
			while (next < items.length) {
				const { link } = items[next++];
				const response = await agent.request({
					origin: emulator.url,
					path: `/api/group/join/${MAIN_INSTANCE}`,
					method: 'POST',
					headers: { token: ACCOUNT_TOKEN, 'content-type': 'application/json' },
					body: JSON.stringify({ identifier: link }),
				});
				JSON.parse(await response.body.text());
			}
		}),
	);
	const ms = performance.now() - started;
	await agent.close();
	return ms;
}

/** One run of `count` items in a child process, for its own time and peak memory. */
function scaleRun(count: number): { ms: number; peakRssMb: number; lost: number } {
	const output = execFileSync(
		process.execPath,
		[...process.execArgv, __filename, '--scale-child', String(count)],
		{
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'inherit'],
			maxBuffer: 1 << 20,
		},
	);
	return JSON.parse(output.trim().split('\n').pop() as string) as {
		ms: number;
		peakRssMb: number;
		lost: number;
	};
}

async function scaleChild(count: number): Promise<void> {
	const emulator = await startEmulator(UNLIMITED);
	const { result, ms } = await runOurs(emulator, codes(count));
	const lost = count - itemsOut(result);
	await emulator.close();
	await closeDispatchers();
	shutDownEngine();
	console.log(JSON.stringify({ ms, peakRssMb: process.resourceUsage().maxRSS / 1024, lost }));
}

async function main(): Promise<void> {
	const childIndex = process.argv.indexOf('--scale-child');
	if (childIndex !== -1) return await scaleChild(Number(process.argv[childIndex + 1]));

	const started = performance.now();
	progress('pacing alone');
	const alone = await pacing(false);
	record(
		'pacing_efficiency',
		alone.efficiency,
		`joins per full window ÷ limit (${sizes.limit} per ${sizes.windowMs} ms, ${alone.windows} full windows)`,
	);
	record(
		'rate_limited_responses',
		alone.rateLimited,
		`429s in that run (${alone.ourRequests} requests)`,
	);

	progress('pacing with a competing client');
	const shared = await pacing(true);
	record(
		'shared_bucket_429_ratio',
		shared.ourRequests ? shared.rateLimited / shared.ourRequests : 0,
		`429s ÷ our requests while another client spends ~40% (${shared.rateLimited}/${shared.ourRequests})`,
	);
	record(
		'shared_bucket_efficiency',
		shared.efficiency,
		`our joins per full window ÷ the 60% left to us (the other client got ${Math.round(shared.competitorShare * 100)}% of all joins)`,
	);

	record(
		'window_start_idle_ms',
		alone.idleMs,
		`from each full window's start to our first request in it, median (the announced reset plus the node's 50 ms margin and one round trip)`,
	);

	const queueRuns: Record<number, Awaited<ReturnType<typeof queue>>> = {};
	for (const processes of [2, 4]) {
		progress(`${processes} processes sharing one token`);
		queueRuns[processes] = await queue(processes);
		const run = queueRuns[processes];
		record(
			`queue_429_ratio_${processes}`,
			run.rejected / run.requests,
			`429s ÷ requests, ${processes} processes at once on ${QUEUE.limit} per ${QUEUE.windowMs} ms (${run.rejected}/${run.requests}; ${run.rateLimitedItems} items on Failed as rate_limited)`,
		);
		if (processes === 2)
			record(
				'queue_efficiency_2',
				run.efficiency,
				`fastest legal finish ÷ actual, 2 processes started together as a window opens (full windows used ${Math.round(run.windowUse * 100)}%)`,
			);
		else
			rows.push([
				'',
				`   (4 processes: fastest legal finish ÷ actual ${run.efficiency.toFixed(3)}, full windows used ${Math.round(run.windowUse * 100)}%)`,
			]);
	}
	record(
		'queue_items_lost',
		queueRuns[2].lost + queueRuns[4].lost,
		'items missing from (or doubled on) the outputs, both multi-process runs',
	);
	record(
		'queue_rate_limited_items',
		queueRuns[2].rateLimitedItems + queueRuns[4].rateLimitedItems,
		'items on Failed with reason rate_limited, both multi-process runs',
	);

	progress('duplicates');
	const deduped = await dedupe();
	record('dedupe_requests', deduped.requests, `requests for ${sizes.dedupeItems} items`);
	record('dedupe_distinct', deduped.distinct, 'distinct codes among them');

	progress('speed: ours, bare undici, the HTTP Request node');
	const speedEmulator = await startEmulator({ ...UNLIMITED, latencyMs: 2 });
	const speedItems = codes(sizes.speedItems);
	await runOurs(speedEmulator, codes(200)); // warm-up: code paths compiled, connections open
	// Interleaved rounds, each contender's median: one run of each swings with the machine's load.
	const samples: { bare: number[]; ours: number[]; httpNode: Array<number | null> } = {
		bare: [],
		ours: [],
		httpNode: [],
	};
	for (let round = 1; round <= SPEED_ROUNDS; round++) {
		progress(`  round ${round} of ${SPEED_ROUNDS}: bare undici, ours, the HTTP Request node`);
		samples.bare.push(await bareUndiciMs(speedEmulator, speedItems));
		samples.ours.push((await runOurs(speedEmulator, speedItems)).ms);
		samples.httpNode.push(await httpRequestNodeMs(speedEmulator, speedItems));
	}
	await speedEmulator.close();
	const bare = median(samples.bare);
	const ours = median(samples.ours);
	const httpNode = samples.httpNode.includes(null) ? null : median(samples.httpNode as number[]);
	record(
		'speedup_vs_http_request_node',
		httpNode === null ? null : httpNode / ours,
		`HTTP Request node ${httpNode === null ? 'unavailable' : `${Math.round(httpNode)} ms`} ÷ ours ${Math.round(ours)} ms (${sizes.speedItems} items, 2 ms latency, medians of ${SPEED_ROUNDS})`,
	);
	record(
		'overhead_vs_bare_undici',
		ours / bare,
		`ours ÷ bare undici ${Math.round(bare)} ms, both at ${CONCURRENCY} in flight, medians of ${SPEED_ROUNDS}`,
	);

	const items_lost = alone.lost + shared.lost;
	progress(`scale: ${sizes.small} and ${sizes.large} items`);
	const small = scaleRun(sizes.small);
	const large = scaleRun(sizes.large);
	record(
		'scale_ratio_100k_vs_10k',
		large.ms / small.ms,
		`${sizes.large} items ${Math.round(large.ms)} ms ÷ ${sizes.small} items ${Math.round(small.ms)} ms`,
	);
	record('peak_rss_mb_100k', large.peakRssMb, `peak memory of the ${sizes.large}-item run (MB)`);
	record(
		'items_lost',
		items_lost + small.lost + large.lost,
		'items missing from both outputs, all runs',
	);

	await closeDispatchers();
	shutDownEngine();
	const width = Math.max(...rows.map(([key]) => key.length));
	console.log(
		`\nRyzeAPI Join Group benchmark${quick ? ' (--quick)' : ''}, ${Math.round((performance.now() - started) / 1000)} s\n`,
	);
	for (const [key, text] of rows) console.log(`  ${key.padEnd(width)}  ${text}`);
	console.log(JSON.stringify(figures));
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.stack : error);
	process.exitCode = 1;
});
