/**
 * Join Group 1.2's join ledger in a real n8n 2.8.4 (run by `npm run test:e2e`): the packed
 * package installed as n8n installs community packages, `n8n start` on 127.0.0.1 with its
 * embedded store (a journal file under the user folder), and published webhook workflows
 * (Webhook → Split Out → Join Group 1.2 → Success, Failed and Deferred merged → every item
 * answered). Asserted from the emulator's log: the budget (10 joins an hour) holds across two
 * executions at once, no code is lost or answered twice, a restart of n8n keeps what was joined
 * (no request again), and a restriction answer stops the joins of that number only.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { LoggedRequest } from '../support/emulator/server';
import { ACCOUNT_TOKEN, MAIN_INSTANCE, RyzeApiEmulator } from '../support/emulator/server';
import type { AnsweredJoin, JoinTally, PostedJoin } from '../support/n8n/ledgerWorkflow';
import { ryzeApiCredential } from '../support/n8n/examples';
import {
	joinLedgerJournal,
	LEDGER_BUDGET,
	ledgerJoinWorkflow,
	openCodes,
	postJoins,
	tallyJoins,
} from '../support/n8n/ledgerWorkflow';
import { freePort, installAsCommunityPackage, N8n, packProject } from '../support/n8n/realN8n';

const installDir = process.env.N8N_E2E_INSTALL_DIR;
const emulator = new RyzeApiEmulator();
const CREDENTIAL = { id: 'ryzeApiLedgerEmulator', name: 'RyzeAPI (ledger emulator)' };
/** Requests in Flight at its default (16): the reservations of a run come in batches. */
const BATCH = { id: 'ryzeApiLedgerBatch', path: 'ryzeapi/ledger-batch' };
/** One request at a time: what comes after a restriction answer is plain in the log. */
const SERIAL = { id: 'ryzeApiLedgerSerial', path: 'ryzeapi/ledger-serial' };
const BUDGET = LEDGER_BUDGET.maxJoinsPerHour;
/** Two numbers of the same token, for the restriction: A is restricted, B is not. */
const A = 'second';
const B = 'third';
/** A pause of 10 s between joins and one join an hour, on a number of its own. */
const SPACED = { id: 'ryzeApiLedgerSpaced', path: 'ryzeapi/ledger-spaced', instance: 'fourth' };
const PAUSE_MS = 10_000;
const SPACED_OPTIONS = {
	...LEDGER_BUDGET,
	maxJoinsPerHour: 1,
	minDelaySeconds: PAUSE_MS / 1000,
	maxDelaySeconds: PAUSE_MS / 1000,
};

let workDir: string;
let n8n: N8n;
/** The 40 codes of the first test, in two batches of 20, and those it joined. */
const batches = [openCodes('LedgerA', 20), openCodes('LedgerB', 20)].map((codes) =>
	codes.map((code): PostedJoin => ({ code })),
);
const joinedFirst = new Set<string>();
const figures: string[] = [];

beforeAll(async () => {
	if (!installDir)
		throw new Error('N8N_E2E_INSTALL_DIR is not set: run this suite with `npm run test:e2e`');
	workDir = mkdtempSync(join(tmpdir(), 'ryzeapi-ledger-e2e-'));
	const filesDir = join(workDir, 'files');
	mkdirSync(filesDir);
	await emulator.start();
	emulator.configure({
		instances: {
			[MAIN_INSTANCE]: 'connected',
			[A]: 'connected',
			[B]: 'connected',
			[SPACED.instance]: 'connected',
		},
	});
	await installAsCommunityPackage(workDir, await packProject(workDir));
	n8n = new N8n({ installDir, userFolder: workDir, filesDir, port: await freePort() });
	await n8n.importCredentials([ryzeApiCredential(CREDENTIAL, emulator.url)]);
	await n8n.importWorkflows([
		ledgerJoinWorkflow({ ...BATCH, credential: CREDENTIAL, options: LEDGER_BUDGET }),
		ledgerJoinWorkflow({
			...SERIAL,
			credential: CREDENTIAL,
			options: { ...LEDGER_BUDGET, concurrency: 1 },
		}),
		ledgerJoinWorkflow({ ...SPACED, credential: CREDENTIAL, options: SPACED_OPTIONS }),
	]);
	await n8n.publishWorkflow(BATCH.id);
	await n8n.publishWorkflow(SERIAL.id);
	await n8n.publishWorkflow(SPACED.id);
	await startN8n();
}, 600_000);

afterAll(async () => {
	if (figures.length > 0) process.stderr.write(`\njoin ledger e2e:\n${figures.join('\n')}\n\n`);
	await n8n?.stop();
	await emulator.close();
	if (workDir) rmSync(workDir, { recursive: true, force: true });
}, 120_000);

async function startN8n(): Promise<void> {
	await n8n.start();
	await n8n.waitForActivation(BATCH.id);
	await n8n.waitForActivation(SERIAL.id);
	await n8n.waitForActivation(SPACED.id);
}

/** Posts the batches at once to a workflow; every answer 200 with JSON items. */
async function postAtOnce(path: string, posted: PostedJoin[][]): Promise<AnsweredJoin[]> {
	const answers = await Promise.all(posted.map((joins) => postJoins(n8n.url, path, joins)));
	for (const answer of answers) {
		if (answer.status !== 200)
			throw new Error(
				`The webhook answered ${answer.status}: ${answer.text.slice(0, 500)}\n${n8n.logTail(20)}`,
			);
	}
	return answers.flatMap((answer) => answer.items);
}

function figure(
	scenario: string,
	tally: JoinTally,
	requests: number,
	ms: number,
	budget = BUDGET,
): void {
	figures.push(
		`  ${scenario}: ${requests} join requests (budget ${budget}), ${tally.itemsOut} items out of ${tally.posted}, lost ${tally.lost.length}, doubled ${tally.doubled}, ${JSON.stringify(tally.byStatus)}, ${(ms / 1000).toFixed(1)} s`,
	);
}

function joinsOn(log: readonly LoggedRequest[], instance: string): LoggedRequest[] {
	return log.filter((entry) => entry.instance === instance);
}

test('two executions at once, 40 distinct codes, 10 joins an hour: 10 join requests, the other 30 items deferred, none lost or doubled', async () => {
	const started = Date.now();
	const items = await postAtOnce(BATCH.path, batches);
	const tally = tallyJoins(batches.flat(), items);
	const requests = emulator.joinRequests();
	figure('2 executions at once', tally, requests.length, Date.now() - started);

	expect(tally.lost).toEqual([]);
	expect(tally.doubled).toBe(0);
	expect(tally.itemsOut).toBe(40);
	expect(requests).toHaveLength(BUDGET);
	expect(requests.every((request) => request.status === 200)).toBe(true);
	// Each code sent once at most, and the items joined are exactly the codes sent.
	const sent = requests.map((request) => String(request.identifier));
	expect(new Set(sent).size).toBe(sent.length);
	const joined = items.filter((item) => item.status === 'joined');
	expect(joined.map((item) => item.code).sort()).toEqual([...sent].sort());
	expect(joined.every((item) => item.fromLedger === false)).toBe(true);
	const deferred = items.filter((item) => item.status === 'deferred');
	expect(deferred).toHaveLength(40 - BUDGET);
	for (const item of deferred) {
		expect(item.error?.reason).toBe('join_budget_reached');
		// The budget frees up an hour after the first of the 10 joins.
		expect(Date.parse(String(item.notBefore))).toBeGreaterThan(started + 50 * 60_000);
	}
	for (const code of sent) joinedFirst.add(code);
	// The ledger is a journal in n8n's user folder, with no token in it.
	const journal = joinLedgerJournal(workDir);
	expect(existsSync(journal)).toBe(true);
	expect(readFileSync(journal, 'utf8')).not.toContain(ACCOUNT_TOKEN);
});

test('restarted on the same user folder, the same 40 codes again: no join request; the codes joined come back fromLedger', async () => {
	await n8n.stop();
	await startN8n();
	const before = emulator.joinRequests().length;
	const started = Date.now();
	const items = await postAtOnce(BATCH.path, batches);
	const tally = tallyJoins(batches.flat(), items);
	const requests = emulator.joinRequests().length - before;
	figure('after a restart, the same codes', tally, requests, Date.now() - started);

	expect(requests).toBe(0);
	expect(tally.lost).toEqual([]);
	expect(tally.doubled).toBe(0);
	const fromLedger = items.filter((item) => joinedFirst.has(item.code));
	expect(fromLedger).toHaveLength(BUDGET);
	for (const item of fromLedger) expect(item).toMatchObject({ status: 'joined', fromLedger: true });
	// The rest: still over the budget the ledger kept across the restart.
	const rest = items.filter((item) => !joinedFirst.has(item.code));
	expect(rest.map((item) => [item.status, item.error?.reason])).toEqual(
		Array(40 - BUDGET).fill(['deferred', 'join_budget_reached']),
	);
}, 300_000);

test('a restriction answer on number A: no further join on A in that execution nor the next, while B (same token) keeps joining', async () => {
	// WhatsApp restricts a number after its third join within the hour (the emulator counts from now).
	emulator.configure({ restriction: { afterJoins: 3, windowMs: 3_600_000 } });
	const first: PostedJoin[] = [
		...openCodes('RestrictA', 6).map((code) => ({ code, instance: A })),
		...openCodes('FreeB', 2).map((code) => ({ code, instance: B })),
	];
	const logFrom = emulator.log.length;
	let started = Date.now();
	const firstItems = await postAtOnce(SERIAL.path, [first]);
	const firstLog = emulator
		.joinRequests()
		.filter((entry) => emulator.log.indexOf(entry) >= logFrom);
	figure(
		'restriction, execution 1',
		tallyJoins(first, firstItems),
		firstLog.length,
		Date.now() - started,
	);

	const onA = joinsOn(firstLog, A);
	const refusal = onA.findIndex((entry) => entry.status === 403);
	expect(onA.map((entry) => entry.status)).toEqual([200, 200, 200, 403]);
	// After the refusal's answer: nothing more on A, B's joins all went through.
	const afterRefusal = firstLog.slice(firstLog.indexOf(onA[refusal]) + 1);
	expect(joinsOn(afterRefusal, A)).toEqual([]);
	expect(joinsOn(afterRefusal, B).map((entry) => entry.status)).toEqual([200, 200]);
	const byCode = new Map(firstItems.map((item) => [item.code, item]));
	const restrictedCode = String(onA[refusal].identifier);
	expect(byCode.get(restrictedCode)).toMatchObject({
		status: 'deferred',
		error: { reason: 'instance_restricted' },
	});
	const heldOnA = first.filter(
		(posted) => posted.instance === A && !onA.some((entry) => entry.identifier === posted.code),
	);
	expect(heldOnA).toHaveLength(2);
	for (const posted of heldOnA)
		expect(byCode.get(posted.code)).toMatchObject({
			status: 'deferred',
			error: { reason: 'instance_restricted' },
		});
	expect(
		first
			.filter((posted) => posted.instance === B)
			.map((posted) => byCode.get(posted.code)?.status),
	).toEqual(['joined', 'joined']);

	// The next execution: A's pause is in the ledger, B still joins.
	const second: PostedJoin[] = [
		...openCodes('RestrictLaterA', 2).map((code) => ({ code, instance: A })),
		{ code: 'OpenFreeLaterB', instance: B },
	];
	const secondFrom = emulator.log.length;
	started = Date.now();
	const secondItems = await postAtOnce(SERIAL.path, [second]);
	const secondLog = emulator
		.joinRequests()
		.filter((entry) => emulator.log.indexOf(entry) >= secondFrom);
	figure(
		'restriction, execution 2',
		tallyJoins(second, secondItems),
		secondLog.length,
		Date.now() - started,
	);
	expect(joinsOn(secondLog, A)).toEqual([]);
	expect(joinsOn(secondLog, B).map((entry) => entry.status)).toEqual([200]);
	// The Merge answers Success's items first, then Failed's and Deferred's: read them by code.
	const secondByCode = new Map(secondItems.map((item) => [item.code, item]));
	expect(
		second.map((posted) => {
			const item = secondByCode.get(posted.code);
			return [item?.instance, item?.status, item?.error?.reason];
		}),
	).toEqual([
		[A, 'deferred', 'instance_restricted'],
		[A, 'deferred', 'instance_restricted'],
		[B, 'joined', undefined],
	]);
});

test('with a pause between joins, the items the budget holds back wait one pause in all, not one each', async () => {
	const joins = openCodes('Spaced', 5).map((code) => ({ code, instance: SPACED.instance }));
	const started = Date.now();
	// The first joins, the second waits its pause to learn the budget is spent, the other three
	// follow at once: had each waited a pause of its own, the answer would take 40 s.
	const answer = await postJoins(n8n.url, SPACED.path, joins, 2.5 * PAUSE_MS);
	const ms = Date.now() - started;
	expect(answer.status).toBe(200);
	const tally = tallyJoins(joins, answer.items);
	const requests = joinsOn(emulator.joinRequests(), SPACED.instance);
	figure('1 join an hour, 10 s pauses', tally, requests.length, ms, 1);
	expect(requests).toHaveLength(1);
	expect(tally.lost).toEqual([]);
	expect(tally.byStatus).toEqual({ joined: 1, deferred: 4 });
});
