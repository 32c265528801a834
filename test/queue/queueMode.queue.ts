/**
 * The packed package in a real n8n 2.8.4 in queue mode (run by `npm run test:queue`, which finds
 * or installs n8n, PostgreSQL and Redis and says where in QUEUE_* variables): PostgreSQL and Redis
 * on 127.0.0.1, one n8n main and 2, then 4, `n8n worker` processes sharing one user folder and
 * encryption key, all spending one RyzeAPI token of the emulator (40 requests per 20 s). Batches of
 * joins are posted at once to a published webhook, so that they run on different workers at the
 * same time. Asserted: counts (every item out once, joined; every batch run by a worker). Printed,
 * never asserted: 429s per rate-limit window, most tries, efficiency (rateFigures).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { request } from 'undici';

import { RyzeApiEmulator } from '../support/emulator/server';
import { ryzeApiCredential } from '../support/n8n/examples';
import type { RateFigures } from '../support/rateFigures';
import { formatRateFigures, rateFigures } from '../support/rateFigures';
import {
	freePort,
	installAsCommunityPackage,
	N8n,
	NODE_TYPE,
	packProject,
} from '../support/n8n/realN8n';
import type { Service } from '../support/n8n/queueServices';
import { queueModeEnv, startPostgres, startRedis } from '../support/n8n/queueServices';

const installDir = process.env.QUEUE_N8N_INSTALL_DIR;
const postgresBinDir = process.env.QUEUE_POSTGRES_BIN_DIR;
const redisServer = process.env.QUEUE_REDIS_SERVER;
const figuresFile = process.env.QUEUE_FIGURES_FILE;

/** `npm run test:queue -- --quick` (CI): half the window and half the joins, the same checks. */
const quick = process.env.QUEUE_QUICK === '1';
/** The issue's measurement: a token limited to 40 requests per 20 s, so a run takes minutes, not hours. */
const LIMIT = 40;
const WINDOW_MS = quick ? 10_000 : 20_000;
/** Joins in all batches of one run: 8 windows' worth (4 when quick), whatever the number of workers. */
const JOINS_PER_RUN = quick ? 160 : 320;
/** `n8n worker --concurrency`, n8n's recommended minimum. */
const WORKER_CONCURRENCY = 5;

const WORKFLOW_ID = 'ryzeApiQueueBatch';
const WEBHOOK_PATH = 'ryzeapi/queue-batch';
const CREDENTIAL = { id: 'ryzeApiQueueEmulator', name: 'RyzeAPI (queue emulator)' };

const emulator = new RyzeApiEmulator({ rateLimit: { limit: LIMIT, windowMs: WINDOW_MS } });
const services: Service[] = [];
const workers: N8n[] = [];
let workDir: string;
let main: N8n;
let queueEnv: Record<string, string>;

/**
 * Webhook → Split Out (one item per posted join) → Join Group → Success and Failed merged, answered
 * with every item once the execution ends: the answer is the execution's whole output.
 */
function batchWorkflow(): object {
	return {
		id: WORKFLOW_ID,
		name: 'RyzeAPI queue-mode batch',
		nodes: [
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000001',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: 'a1b2c3d4-0000-4000-8000-0000000000aa',
				parameters: {
					httpMethod: 'POST',
					path: WEBHOOK_PATH,
					responseMode: 'lastNode',
					responseData: 'allEntries',
					options: {},
				},
			},
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000002',
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.joins', options: {} },
			},
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000003',
				name: 'Join Group',
				type: NODE_TYPE,
				typeVersion: 1.1, // what a node added in the editor now is
				position: [440, 0],
				onError: 'continueRegularOutput',
				parameters: {
					resource: 'group',
					operation: 'join',
					identifier: '={{ $json.link }}',
					options: {},
				},
				credentials: { ryzeApi: CREDENTIAL },
			},
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000004',
				name: 'Merge',
				type: 'n8n-nodes-base.merge',
				typeVersion: 3.2,
				position: [660, 0],
				parameters: {},
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Join Group', type: 'main', index: 0 }]] },
			'Join Group': {
				main: [
					[{ node: 'Merge', type: 'main', index: 0 }],
					[{ node: 'Merge', type: 'main', index: 1 }],
				],
			},
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}

interface PostedJoin {
	link: string;
	batch: number;
	n: number;
}

interface AnsweredItem extends PostedJoin {
	status?: string;
	error?: { reason?: string };
}

beforeAll(async () => {
	if (!installDir || !postgresBinDir || !redisServer)
		throw new Error('QUEUE_* variables are not set: run this suite with `npm run test:queue`');
	workDir = mkdtempSync(join(tmpdir(), 'ryzeapi-queue-'));
	const filesDir = join(workDir, 'files');
	mkdirSync(filesDir);
	await emulator.start();
	const postgres = await startPostgres(postgresBinDir);
	services.push(postgres);
	const redis = await startRedis(redisServer);
	services.push(redis);
	queueEnv = queueModeEnv(postgres, redis);

	// One user folder for all: the package is installed once into its .n8n/nodes, as on a host
	// whose main and workers share a volume; N8N_ENCRYPTION_KEY (set by N8n) is the same in all.
	await installAsCommunityPackage(workDir, await packProject(workDir));
	const port = await freePort();
	main = new N8n({ installDir, userFolder: workDir, filesDir, port, env: queueEnv, name: 'main' });
	await main.importCredentials([ryzeApiCredential(CREDENTIAL, emulator.url)]);
	await main.importWorkflows([batchWorkflow()]);
	await main.publishWorkflow(WORKFLOW_ID);
	await main.start(300_000);
	await main.waitForActivation(WORKFLOW_ID);
	await addWorkers(2);
}, 900_000);

afterAll(async () => {
	await Promise.all(workers.map((worker) => worker.stop()));
	await main?.stop();
	for (const service of services.reverse()) await service.stop();
	await emulator.close();
	if (workDir) rmSync(workDir, { recursive: true, force: true });
}, 180_000);

async function addWorkers(count: number): Promise<void> {
	const started: N8n[] = [];
	for (let i = 0; i < count; i++) {
		started.push(
			new N8n({
				installDir: installDir!,
				userFolder: workDir,
				filesDir: join(workDir, 'files'),
				port: await freePort(),
				// Resume and form URLs a worker builds point at the main, which receives webhooks.
				env: { ...queueEnv, WEBHOOK_URL: `${main.url}/` },
				name: `worker-${workers.length + started.length + 1}`,
			}),
		);
	}
	// One after another: each boots n8n (seconds of CPU) on a small, shared machine.
	for (const worker of started) {
		await worker.startWorker(WORKER_CONCURRENCY, 300_000);
		workers.push(worker);
	}
}

/** Executions a worker's log says it started (n8n logs one line per job it takes). */
function executionsStartedBy(worker: N8n): number {
	if (!existsSync(worker.logFile)) return 0;
	return readFileSync(worker.logFile, 'utf8')
		.split('\n')
		.filter((line) => /Worker started execution \d+/.test(line)).length;
}

async function postBatch(joins: PostedJoin[]): Promise<{ status: number; items: AnsweredItem[] }> {
	const response = await request(`${main.url}/webhook/${WEBHOOK_PATH}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ joins }),
		// The answer comes when the execution ends: minutes, at 40 joins per 20 s.
		headersTimeout: 15 * 60_000,
		bodyTimeout: 15 * 60_000,
	});
	const text = await response.body.text();
	let items: AnsweredItem[] = [];
	try {
		const parsed = JSON.parse(text) as AnsweredItem[] | AnsweredItem;
		items = Array.isArray(parsed) ? parsed : [parsed];
	} catch {
		throw new Error(
			`The webhook answered ${response.statusCode} with no JSON: ${text.slice(0, 500)}`,
		);
	}
	return { status: response.statusCode, items };
}

/** After a window opens, the batches are posted this much later. */
const POST_AFTER_WINDOW_START_MS = 10;

function msToNextWindow(nowMs: number): number {
	return Math.ceil(nowMs / WINDOW_MS) * WINDOW_MS - nowMs;
}

interface RunReport {
	workers: number;
	/** Where in its rate-limit window the batches were posted. */
	postedIntoWindowMs: number;
	batches: number;
	joins: number;
	itemsOut: number;
	lost: number;
	duplicated: number;
	failed: Record<string, number>;
	executionsPerWorker: number[];
	figures: RateFigures;
	/** Per window of the run, how far into it its last accepted request came (where a tail ended). */
	lastAcceptedIntoWindowMs: number[];
	/** How far into its window each 429 came, window by window from the run's first. */
	rateLimitedIntoWindowMs: number[][];
}

const reports: RunReport[] = [];

async function runBatches(batchCount: number): Promise<RunReport> {
	emulator.reset();
	const before = workers.map(executionsStartedBy);
	const batches = Array.from({ length: batchCount }, (_, batch) =>
		Array.from({ length: JOINS_PER_RUN / batchCount }, (_, n) => ({
			link: `OpenQueue${workers.length}w${batch}b${n}`,
			batch,
			n,
		})),
	);
	// Posted as a window opens, as the benchmark starts its processes: where in a window the
	// executions happen to start would otherwise move the finish by up to a window (n8n takes about
	// a second to start them, so a post in a window's last second loses that window).
	await new Promise((resolve) =>
		setTimeout(resolve, msToNextWindow(Date.now()) + POST_AFTER_WINDOW_START_MS),
	);
	const postedAt = Date.now();
	const answers = await Promise.all(batches.map((joins) => postBatch(joins)));
	const answeredAt = Date.now();
	for (const answer of answers) expect(answer.status).toBe(200);

	const items = answers.flatMap((answer) => answer.items);
	const seen = new Map<string, number>();
	for (const item of items)
		seen.set(`${item.batch}/${item.n}`, (seen.get(`${item.batch}/${item.n}`) ?? 0) + 1);
	const posted = batches.flat();
	const failed: Record<string, number> = {};
	for (const item of items.filter((entry) => entry.status === 'failed')) {
		const reason = item.error?.reason ?? 'unknown';
		failed[reason] = (failed[reason] ?? 0) + 1;
	}
	const report: RunReport = {
		workers: workers.length,
		postedIntoWindowMs: postedAt % WINDOW_MS,
		batches: batchCount,
		joins: posted.length,
		itemsOut: items.length,
		lost: posted.filter((join) => !seen.has(`${join.batch}/${join.n}`)).length,
		duplicated: [...seen.values()].reduce((sum, count) => sum + count - 1, 0),
		failed,
		executionsPerWorker: workers.map(
			(worker, index) => executionsStartedBy(worker) - (before[index] ?? 0),
		),
		// Efficiency over what a user waits for: from the posts to the last answer.
		figures: rateFigures(emulator.joinRequests(), LIMIT, WINDOW_MS, {
			fromMs: postedAt,
			toMs: answeredAt,
		}),
		...intoWindows(),
	};
	reports.push(report);
	printReport(report);
	return report;
}

/** Where in their windows the run's last accepted requests and its 429s came. */
function intoWindows(): Pick<RunReport, 'lastAcceptedIntoWindowMs' | 'rateLimitedIntoWindowMs'> {
	const joins = emulator.joinRequests();
	if (joins.length === 0) return { lastAcceptedIntoWindowMs: [], rateLimitedIntoWindowMs: [] };
	const first = Math.min(...joins.map((entry) => Math.floor(entry.at / WINDOW_MS)));
	const last = Math.max(...joins.map((entry) => Math.floor(entry.at / WINDOW_MS)));
	const lastAccepted = Array.from({ length: last - first + 1 }, () => 0);
	const rateLimited = lastAccepted.map((): number[] => []);
	for (const entry of joins) {
		const index = Math.floor(entry.at / WINDOW_MS) - first;
		const into = entry.at % WINDOW_MS;
		if (entry.status === 429) rateLimited[index].push(into);
		else lastAccepted[index] = Math.max(lastAccepted[index], into);
	}
	return { lastAcceptedIntoWindowMs: lastAccepted, rateLimitedIntoWindowMs: rateLimited };
}

function printReport(report: RunReport): void {
	const lines = [
		`queue mode, ${report.workers} workers × concurrency ${WORKER_CONCURRENCY}, ${report.batches} webhook executions of ${report.joins / report.batches} joins, token ${LIMIT} per ${WINDOW_MS / 1000} s, posted ${report.postedIntoWindowMs} ms into a window:`,
		`  items out ${report.itemsOut} of ${report.joins}, lost ${report.lost}, duplicated ${report.duplicated}, on Failed ${JSON.stringify(report.failed)}; executions per worker ${report.executionsPerWorker.join(' / ')}`,
		formatRateFigures('  emulator log', report.figures),
		`  last accepted request, ms into its window: ${report.lastAcceptedIntoWindowMs.join('  ')}`,
		`  429s, ms into their window: ${report.rateLimitedIntoWindowMs.map((times) => `[${times.join(' ')}]`).join('  ')}`,
	];
	process.stderr.write(`\n${lines.join('\n')}\n\n`);
	if (figuresFile) writeFileSync(figuresFile, JSON.stringify(reports, null, 2));
}

function expectEveryItemOnceAndJoined(report: RunReport, items: number): void {
	expect(report.itemsOut).toBe(items);
	expect(report.lost).toBe(0);
	expect(report.duplicated).toBe(0);
	expect(report.failed).toEqual({});
	// Every request the emulator got was for a posted join: none invented, none for another batch.
	expect(report.figures.requests - report.figures.rateLimited).toBe(items);
}

test('2 workers, 2 webhook executions at once: every join out once and joined, run by the workers', async () => {
	const report = await runBatches(2);
	expectEveryItemOnceAndJoined(report, JOINS_PER_RUN);
	// The main only queues: each execution ran on a worker, and the two on different workers.
	expect(report.executionsPerWorker.reduce((a, b) => a + b, 0)).toBe(2);
	expect(report.executionsPerWorker.filter((count) => count > 0).length).toBe(2);
}, 900_000);

test('4 workers, 4 webhook executions at once: every join out once and joined, run by the workers', async () => {
	await addWorkers(2);
	const report = await runBatches(4);
	expectEveryItemOnceAndJoined(report, JOINS_PER_RUN);
	expect(report.executionsPerWorker.reduce((a, b) => a + b, 0)).toBe(4);
	// Several processes at once is the point; Bull hands jobs to whichever worker asks first.
	expect(report.executionsPerWorker.filter((count) => count > 0).length).toBeGreaterThanOrEqual(3);
}, 900_000);
