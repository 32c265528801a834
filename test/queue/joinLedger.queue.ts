/**
 * Join Group 1.2's join ledger in n8n's queue mode (run by `npm run test:queue`, which finds or
 * installs n8n, PostgreSQL and Redis and says where in QUEUE_* variables): one n8n main and 2
 * `n8n worker` processes (EXECUTIONS_MODE=queue, PostgreSQL, Redis on 127.0.0.1), the ledger in
 * the Redis of n8n's own QUEUE_BULL_REDIS_* settings with nothing else set up. Asserted from the
 * emulator's log and the webhook's answers: two executions at once on the workers keep one
 * budget (10 joins an hour) with no code lost or answered twice; workers killed with SIGKILL in
 * the middle of a run and started again, the run again sends no code that was answered before the
 * kill and ends every row joined, pending or deferred. Figures are printed (and handed to the
 * runner in QUEUE_LEDGER_FIGURES_FILE), never asserted beyond those counts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { LoggedRequest } from '../support/emulator/server';
import { MAIN_INSTANCE, RyzeApiEmulator } from '../support/emulator/server';
import type {
	AnsweredJoin,
	JoinTally,
	LedgerFigures,
	PostedJoin,
} from '../support/n8n/ledgerWorkflow';
import { ryzeApiCredential } from '../support/n8n/examples';
import {
	LEDGER_BUDGET,
	ledgerJoinWorkflow,
	openCodes,
	postJoins,
	tallyJoins,
} from '../support/n8n/ledgerWorkflow';
import type { Service } from '../support/n8n/queueServices';
import { queueModeEnv, startPostgres, startRedis } from '../support/n8n/queueServices';
import { freePort, installAsCommunityPackage, N8n, packProject } from '../support/n8n/realN8n';
import { waitFor } from '../support/waitFor';

const installDir = process.env.QUEUE_N8N_INSTALL_DIR;
const postgresBinDir = process.env.QUEUE_POSTGRES_BIN_DIR;
const redisServer = process.env.QUEUE_REDIS_SERVER;
const figuresFile = process.env.QUEUE_LEDGER_FIGURES_FILE;

const CREDENTIAL = { id: 'ryzeApiLedgerQueueEmulator', name: 'RyzeAPI (ledger queue emulator)' };
/** No pause between joins: the two executions race for the budget. */
const BATCH = { id: 'ryzeApiLedgerQueueBatch', path: 'ryzeapi/ledger-queue-batch' };
/** A second between joins, so that a run is still sending when its worker is killed. */
const PACED = { id: 'ryzeApiLedgerQueuePaced', path: 'ryzeapi/ledger-queue-paced' };
/** Another number of the token for the kill, with a budget of its own. */
const PACED_INSTANCE = 'paced';
const BUDGET = LEDGER_BUDGET.maxJoinsPerHour;
const WORKER_CONCURRENCY = 5;
/** Join requests the emulator has seen from the paced run when the workers are killed. */
const KILL_AFTER_JOINS = 4;

const emulator = new RyzeApiEmulator();
const services: Service[] = [];
let workers: N8n[] = [];
let workDir: string;
let main: N8n;
let queueEnv: Record<string, string>;

const figures: LedgerFigures[] = [];

beforeAll(async () => {
	if (!installDir || !postgresBinDir || !redisServer)
		throw new Error('QUEUE_* variables are not set: run this suite with `npm run test:queue`');
	workDir = mkdtempSync(join(tmpdir(), 'ryzeapi-queue-ledger-'));
	mkdirSync(join(workDir, 'files'));
	await emulator.start();
	emulator.configure({
		instances: { [MAIN_INSTANCE]: 'connected', [PACED_INSTANCE]: 'connected' },
	});
	const postgres = await startPostgres(postgresBinDir);
	services.push(postgres);
	const redis = await startRedis(redisServer);
	services.push(redis);
	// n8n's queue settings only: the ledger finds its Redis in them.
	queueEnv = queueModeEnv(postgres, redis);
	await installAsCommunityPackage(workDir, await packProject(workDir));
	main = new N8n({
		installDir,
		userFolder: workDir,
		filesDir: join(workDir, 'files'),
		port: await freePort(),
		env: queueEnv,
		name: 'main',
	});
	await main.importCredentials([ryzeApiCredential(CREDENTIAL, emulator.url)]);
	await main.importWorkflows([
		ledgerJoinWorkflow({ ...BATCH, credential: CREDENTIAL, options: LEDGER_BUDGET }),
		ledgerJoinWorkflow({
			...PACED,
			credential: CREDENTIAL,
			options: { ...LEDGER_BUDGET, minDelaySeconds: 1, maxDelaySeconds: 1 },
		}),
	]);
	await main.publishWorkflow(BATCH.id);
	await main.publishWorkflow(PACED.id);
	await main.start(300_000);
	await main.waitForActivation(BATCH.id);
	await main.waitForActivation(PACED.id);
	workers = await startWorkers(2);
}, 900_000);

afterAll(async () => {
	if (figures.length > 0) {
		const lines = figures.map(
			(f) =>
				`  ${f.scenario}: ${f.requests} join requests (budget ${f.budget}), ${f.itemsOut} items out of ${f.posted}, lost ${f.lost}, doubled ${f.doubled}, ${JSON.stringify(f.byStatus)}, ${f.seconds.toFixed(1)} s${f.note ? `; ${f.note}` : ''}`,
		);
		process.stderr.write(`\nqueue mode, join ledger in n8n's Redis:\n${lines.join('\n')}\n\n`);
		if (figuresFile) writeFileSync(figuresFile, JSON.stringify(figures, null, 2));
	}
	await Promise.all(workers.map((worker) => worker.stop()));
	await main?.stop();
	for (const service of services.reverse()) await service.stop();
	await emulator.close();
	if (workDir) rmSync(workDir, { recursive: true, force: true });
}, 180_000);

let started = 0;

async function startWorkers(count: number): Promise<N8n[]> {
	const ready: N8n[] = [];
	// One after another: each boots n8n (seconds of CPU) on a small, shared machine.
	for (let i = 0; i < count; i++) {
		const worker = new N8n({
			installDir: installDir!,
			userFolder: workDir,
			filesDir: join(workDir, 'files'),
			port: await freePort(),
			env: { ...queueEnv, WEBHOOK_URL: `${main.url}/` },
			name: `ledger-worker-${++started}`,
		});
		await worker.startWorker(WORKER_CONCURRENCY, 300_000);
		ready.push(worker);
	}
	return ready;
}

/** Executions a worker's log says it started (n8n logs one line per job it takes). */
function executionsStartedBy(worker: N8n): number {
	if (!existsSync(worker.logFile)) return 0;
	return readFileSync(worker.logFile, 'utf8')
		.split('\n')
		.filter((line) => /Worker started execution \d+/.test(line)).length;
}

function joinsOn(instance: string, log: readonly LoggedRequest[] = emulator.log): LoggedRequest[] {
	return log.filter(
		(entry) => entry.method === 'POST' && entry.path === `/api/group/join/${instance}`,
	);
}

function record(
	scenario: string,
	tally: JoinTally,
	requests: number,
	ms: number,
	note?: string,
): void {
	figures.push({
		scenario,
		posted: tally.posted,
		itemsOut: tally.itemsOut,
		lost: tally.lost.length,
		doubled: tally.doubled,
		requests,
		budget: BUDGET,
		byStatus: tally.byStatus,
		seconds: ms / 1000,
		...(note ? { note } : {}),
	});
}

function answered(answer: { status: number; text: string; items: AnsweredJoin[] }): AnsweredJoin[] {
	if (answer.status !== 200)
		throw new Error(`The webhook answered ${answer.status}: ${answer.text.slice(0, 500)}`);
	return answer.items;
}

test("2 workers, two executions at once, 40 distinct codes, 10 joins an hour: the budget holds across the workers through n8n's Redis, the other items deferred, none lost or doubled", async () => {
	const batches = [openCodes('QueueA', 20), openCodes('QueueB', 20)].map((codes) =>
		codes.map((code): PostedJoin => ({ code })),
	);
	const before = workers.map(executionsStartedBy);
	const startedAt = Date.now();
	const answers = await Promise.all(
		batches.map((joins) => postJoins(main.url, BATCH.path, joins, 300_000)),
	);
	const items = answers.flatMap(answered);
	const tally = tallyJoins(batches.flat(), items);
	const requests = joinsOn(MAIN_INSTANCE);
	const perWorker = workers.map((worker, index) => executionsStartedBy(worker) - before[index]);
	record(
		'2 executions at once',
		tally,
		requests.length,
		Date.now() - startedAt,
		`executions per worker ${perWorker.join(' / ')}`,
	);

	expect(tally.lost).toEqual([]);
	expect(tally.doubled).toBe(0);
	expect(tally.itemsOut).toBe(40);
	expect(requests).toHaveLength(BUDGET);
	const sent = requests.map((entry) => String(entry.identifier));
	expect(new Set(sent).size).toBe(sent.length);
	expect(
		items
			.filter((item) => item.status === 'joined')
			.map((item) => item.code)
			.sort(),
	).toEqual([...sent].sort());
	expect(tally.byStatus).toEqual({ joined: BUDGET, deferred: 40 - BUDGET });
	for (const item of items.filter((entry) => entry.status === 'deferred'))
		expect(item.error?.reason).toBe('join_budget_reached');
	// Both executions ran on workers (the main only queues them).
	expect(perWorker.reduce((a, b) => a + b, 0)).toBe(2);
}, 600_000);

test('workers killed with SIGKILL mid-run, started again, the run again: no code answered before the kill is sent again, every row joined, pending or deferred', async () => {
	const joins = openCodes('QueueKill', 20).map((code) => ({ code, instance: PACED_INSTANCE }));
	const startedAt = Date.now();
	// The run the kill interrupts: its answer (a failure, or none) is printed, not asserted.
	let killedRunAnswer = 'no answer';
	const killedRun = postJoins(main.url, PACED.path, joins, 240_000).then(
		(answer) => (killedRunAnswer = `${answer.status} ${answer.text.slice(0, 120)}`),
		(error: unknown) => (killedRunAnswer = `no answer (${String(error)})`),
	);
	await waitFor(
		`${KILL_AFTER_JOINS} joins of the paced run`,
		() => (joinsOn(PACED_INSTANCE).length >= KILL_AFTER_JOINS ? true : undefined),
		{ timeoutMs: 120_000, everyMs: 50 },
	);
	await Promise.all(workers.map((worker) => worker.kill()));
	// Whatever a killed worker had written to a socket has arrived by now.
	await new Promise((done) => setTimeout(done, 1_000));
	const beforeKill = joinsOn(PACED_INSTANCE);
	const answeredBeforeKill = new Set(
		beforeKill.filter((entry) => entry.status === 200).map((entry) => String(entry.identifier)),
	);
	expect(answeredBeforeKill.size).toBeGreaterThanOrEqual(KILL_AFTER_JOINS - 1);
	expect(beforeKill.length).toBeLessThan(BUDGET);

	workers = await startWorkers(2);
	const rerunAt = Date.now();
	const items = answered(await postJoins(main.url, PACED.path, joins, 300_000));
	const tally = tallyJoins(joins, items);
	const all = joinsOn(PACED_INSTANCE);
	const afterKill = all.slice(beforeKill.length);
	await Promise.race([killedRun, new Promise((done) => setTimeout(done, 5_000))]);
	const again = items.filter((item) => answeredBeforeKill.has(item.code));
	const fromLedger = again.filter((item) => item.fromLedger === true).length;
	record(
		'SIGKILL mid-run, then again',
		tally,
		all.length,
		Date.now() - startedAt,
		`${beforeKill.length} requests before the kill (${answeredBeforeKill.size} answered: ${fromLedger} back as joined from the ledger, ${again.length - fromLedger} deferred, their answers unrecorded when the worker died), ${afterKill.length} after; the run again took ${((Date.now() - rerunAt) / 1000).toFixed(1)} s; the killed run's webhook answered: ${killedRunAnswer}`,
	);

	expect(afterKill.filter((entry) => answeredBeforeKill.has(String(entry.identifier)))).toEqual([]);
	const sent = all.map((entry) => String(entry.identifier));
	expect(new Set(sent).size).toBe(sent.length);
	expect(all.length).toBeLessThanOrEqual(BUDGET);
	expect(tally.lost).toEqual([]);
	expect(tally.doubled).toBe(0);
	const statuses = new Set(Object.keys(tally.byStatus));
	for (const status of statuses)
		expect(['joined', 'pending_approval', 'deferred']).toContain(status);
	// A code answered before the kill: joined from the ledger, or (its answer never recorded) still
	// reserved, so deferred: as in progress, or as over the budget when the budget was spent before
	// its turn (n8n may run the killed execution again on a new worker, beside this one). Never sent.
	for (const item of again) {
		if (item.status === 'joined') expect(item.fromLedger).toBe(true);
		else {
			expect(item.status).toBe('deferred');
			expect(['join_in_progress', 'join_budget_reached']).toContain(item.error?.reason);
		}
	}
}, 900_000);
