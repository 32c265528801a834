/**
 * Speed, no rate limit: the same joins through our node, through bare undici (the floor any node
 * pays) and through n8n's own HTTP Request node, interleaved rounds, each contender's median.
 */
import { join } from 'node:path';

import type { INodeType, IVersionedNodeType } from 'n8n-workflow';
import { Agent } from 'undici';

import type { RyzeApiEmulator } from '../../test/support/emulator/server';
import { ACCOUNT_TOKEN, MAIN_INSTANCE, startEmulator } from '../../test/support/emulator/server';
import { runNode } from '../../test/support/engine';
import { ensureCachedInstall } from '../../test/support/n8n/cachedInstall';
import { codes, itemsOut, median, progress, runOurs, RyzeApi, sizes, UNLIMITED } from './context';
import type { Report } from './report';

const SPEED_ROUNDS = 3;

/** The node's default "Requests in Flight"; the bare undici loop uses the same. */
const CONCURRENCY = defaultConcurrency();

export async function benchSpeed(report: Report): Promise<void> {
	progress('speed: ours, bare undici, the HTTP Request node');
	const emulator = await startEmulator({ ...UNLIMITED, latencyMs: 2 });
	const items = codes(sizes.speedItems);
	await runOurs(emulator, codes(200)); // warm-up: code paths compiled, connections open
	// Interleaved rounds, each contender's median: one run of each swings with the machine's load.
	const samples: { bare: number[]; ours: number[]; httpNode: Array<number | null> } = {
		bare: [],
		ours: [],
		httpNode: [],
	};
	for (let round = 1; round <= SPEED_ROUNDS; round++) {
		progress(`  round ${round} of ${SPEED_ROUNDS}: bare undici, ours, the HTTP Request node`);
		samples.bare.push(await bareUndiciMs(emulator, items));
		samples.ours.push((await runOurs(emulator, items)).ms);
		samples.httpNode.push(await httpRequestNodeMs(emulator, items));
	}
	await emulator.close();
	const bare = median(samples.bare);
	const ours = median(samples.ours);
	const httpNode = samples.httpNode.includes(null) ? null : median(samples.httpNode as number[]);
	report.record(
		'speedup_vs_http_request_node',
		httpNode === null ? null : httpNode / ours,
		`HTTP Request node ${httpNode === null ? 'unavailable' : `${Math.round(httpNode)} ms`} ÷ ours ${Math.round(ours)} ms (${sizes.speedItems} items, 2 ms latency, medians of ${SPEED_ROUNDS})`,
	);
	report.record(
		'overhead_vs_bare_undici',
		ours / bare,
		`ours ÷ bare undici ${Math.round(bare)} ms, both at ${CONCURRENCY} in flight, medians of ${SPEED_ROUNDS}`,
	);
}

function defaultConcurrency(): number {
	const options = new RyzeApi().description.properties.find(
		(property) => property.name === 'options',
	);
	const concurrency = options?.options?.find(
		(option) => 'name' in option && option.name === 'concurrency',
	);
	return Number((concurrency as { default?: unknown } | undefined)?.default);
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
