/**
 * The RyzeAPI Polling Trigger in a real n8n 2.8.4 (run by `npm run test:e2e`): the packed package
 * installed as n8n installs community packages, `n8n start` on 127.0.0.1, and a workflow
 * (RyzeAPI Polling Trigger, Poll Times every minute → a node that records its items) published
 * through n8n's REST API as the editor does; n8n polls once at activation, then once a minute.
 * A Join Group 1.2 webhook workflow in the same n8n asks to join a group that needs an admin's
 * approval; the emulator's admin approves it between two polls. Asserted from n8n's executions
 * and the emulator's log: the first poll starts nothing, the approval starts exactly one
 * execution (joined, with the ledger's invite code and request time), a poll whose list request
 * fails starts nothing and the poll after it reports only what is new, and the token is in no
 * execution. Real polls come once a minute: the file takes about 4 minutes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { groupJidOf } from '../support/emulator/groups';
import type { LoggedRequest } from '../support/emulator/server';
import { ACCOUNT_TOKEN, MAIN_INSTANCE, RyzeApiEmulator } from '../support/emulator/server';
import { LEDGER_BUDGET, ledgerJoinWorkflow, postJoins } from '../support/n8n/ledgerWorkflow';
import { ryzeApiCredential } from '../support/n8n/examples';
import type { ExecutionWithData } from '../support/n8n/rest';
import { activateWorkflow, getExecution, listExecutions } from '../support/n8n/rest';
import {
	freePort,
	installAsCommunityPackage,
	N8n,
	packProject,
	POLLING_TRIGGER_NODE_TYPE,
} from '../support/n8n/realN8n';
import { waitFor } from '../support/waitFor';

const installDir = process.env.N8N_E2E_INSTALL_DIR;
const emulator = new RyzeApiEmulator();
const CREDENTIAL = { id: 'ryzeApiPollingEmulator', name: 'RyzeAPI (polling emulator)' };
const JOIN = { id: 'ryzeApiPollingJoin', path: 'ryzeapi/polling-join' };
const POLLING = { id: 'ryzeApiPollingGroups', trigger: 'RyzeAPI Polling Trigger' };
/** Groups the number is in before the trigger is published: the first poll's list. */
const EXISTING = ['OpenExistingGroup1', 'OpenExistingGroup2'];
const APPROVAL_CODE = 'ApprovalPolledGroup1';
/** Joined while the list route is down: the first poll after the outage reports it, alone. */
const DURING_OUTAGE = 'OpenJoinedDuringOutage1';
/** A poll is one list request, or up to 3 seconds apart (its retries); polls come a minute apart. */
const POLL_GAP_MS = 30_000;
/** Long enough for the next poll (every minute, at a random second) and its execution. */
const NEXT_POLL_MS = 100_000;

let workDir: string;
let n8n: N8n;
let startedAt: number;
let activatedAt: number;
let joinPostedAt: number;

function pollingWorkflow(): object {
	return {
		id: POLLING.id,
		name: 'RyzeAPI polling: group changes',
		nodes: [
			{
				id: '9a11e7a0-0000-4000-8000-000000000001',
				name: POLLING.trigger,
				type: POLLING_TRIGGER_NODE_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					pollTimes: { item: [{ mode: 'everyMinute' }] },
					// Every event: whatever a poll wrongly reported would start an execution.
					events: ['joined', 'left', 'disconnected', 'reconnected'],
					options: {},
				},
				credentials: { ryzeApi: CREDENTIAL },
			},
			{
				id: '9a11e7a0-0000-4000-8000-000000000002',
				name: 'Record',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [220, 0],
				parameters: {},
			},
		],
		connections: {
			[POLLING.trigger]: { main: [[{ node: 'Record', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}

beforeAll(async () => {
	if (!installDir)
		throw new Error('N8N_E2E_INSTALL_DIR is not set: run this suite with `npm run test:e2e`');
	startedAt = Date.now();
	workDir = mkdtempSync(join(tmpdir(), 'ryzeapi-polling-e2e-'));
	const filesDir = join(workDir, 'files');
	mkdirSync(filesDir);
	await emulator.start();
	emulator.addGroups(MAIN_INSTANCE, EXISTING);
	await installAsCommunityPackage(workDir, await packProject(workDir));
	n8n = new N8n({ installDir, userFolder: workDir, filesDir, port: await freePort() });
	await n8n.importCredentials([ryzeApiCredential(CREDENTIAL, emulator.url)]);
	await n8n.importWorkflows([
		ledgerJoinWorkflow({ ...JOIN, credential: CREDENTIAL, options: LEDGER_BUDGET }),
		pollingWorkflow(),
	]);
	await n8n.publishWorkflow(JOIN.id);
	await n8n.start();
	await n8n.waitForActivation(JOIN.id);
}, 600_000);

afterAll(async () => {
	if (n8n) {
		const executions = (await listExecutions(n8n, POLLING.id).catch(() => [])).sort(
			(a, b) => Number(a.id) - Number(b.id),
		);
		const events = await Promise.all(
			executions.map(async (execution) =>
				triggerItems(await getExecution(n8n, execution.id)).map(
					(item) => `${String(item.event)} ${String(item.inviteCode)}`,
				),
			),
		).catch(() => []);
		process.stderr.write(
			`\npolling trigger e2e: ${polls().length} polls seen (${listRequests().length} list requests, ${listRequests().filter((entry) => entry.status !== 200).length} failed), ${executions.length} executions, events ${JSON.stringify(events)}; ${((Date.now() - startedAt) / 1000).toFixed(0)} s in all, ${((Date.now() - activatedAt) / 1000).toFixed(0)} s since the trigger was published\n\n`,
		);
	}
	await n8n?.stop();
	await emulator.close();
	if (workDir) rmSync(workDir, { recursive: true, force: true });
}, 120_000);

test('a join waiting for approval, then the trigger published: its first poll records the list and starts nothing', async () => {
	joinPostedAt = Date.now();
	const answer = await postJoins(n8n.url, JOIN.path, [{ code: APPROVAL_CODE }]);
	expect(answer.status).toBe(200);
	expect(answer.items).toEqual([
		expect.objectContaining({ code: APPROVAL_CODE, status: 'pending_approval' }),
	]);

	expect(await activateWorkflow(n8n, POLLING.id)).toMatchObject({ status: 200 });
	activatedAt = Date.now();
	// n8n polled once while publishing: one list request, answered.
	expect(listRequests().map((entry) => entry.status)).toEqual([200]);
	expect(await listExecutions(n8n, POLLING.id)).toEqual([]);
});

test('approved between two polls: the next poll starts exactly one execution, joined, with the invite code and when it was asked', async () => {
	expect(emulator.approvePendingJoin(MAIN_INSTANCE, APPROVAL_CODE)).toBeDefined();
	const [execution] = await newExecutions(new Set(), 1);
	expect(execution.status).toBe('success');
	expect(listRequests().length).toBeGreaterThanOrEqual(2);
	const items = triggerItems(execution);
	expect(items).toEqual([
		expect.objectContaining({
			event: 'joined',
			instance: MAIN_INSTANCE,
			groupJid: groupJidOf(APPROVAL_CODE),
			inviteCode: APPROVAL_CODE,
			requestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
		}),
	]);
	const requestedAt = Date.parse(String(items[0].requestedAt));
	expect(requestedAt).toBeGreaterThanOrEqual(joinPostedAt - 1_000);
	expect(requestedAt).toBeLessThanOrEqual(activatedAt);
	// The Record node got the trigger's item.
	expect(execution.outputs.Record?.[0]?.map((item) => item.json.event)).toEqual(['joined']);

	// The ledger now holds the code as joined: the same code again sends nothing.
	const joinsBefore = emulator.joinRequests().length;
	const again = await postJoins(n8n.url, JOIN.path, [{ code: APPROVAL_CODE }]);
	expect(again.items).toEqual([
		expect.objectContaining({ code: APPROVAL_CODE, status: 'joined', fromLedger: true }),
	]);
	expect(emulator.joinRequests().length).toBe(joinsBefore);
}, 180_000);

test(
	'a poll whose list request fails starts nothing; the poll after it reports only the group joined meanwhile, not the old ones',
	async () => {
		const seen = await executionIds();
		const listedBefore = listRequests().length;
		// The next poll's request and both its retries fail; a group is joined meanwhile.
		emulator.queueFault('serverError', 3);
		emulator.addGroups(MAIN_INSTANCE, [DURING_OUTAGE]);
		await waitFor(
			'the poll during the outage',
			() => (listRequests().length >= listedBefore + 3 ? true : undefined),
			{
				timeoutMs: NEXT_POLL_MS,
				everyMs: 500,
			},
		);
		const failedPoll = listRequests().slice(listedBefore, listedBefore + 3);
		expect(failedPoll.map((entry) => entry.status)).toEqual([500, 500, 500]);

		const [execution] = await newExecutions(seen, 1);
		// Started by the poll after the outage, a separate poll: not one of the failed poll's retries.
		const nextPoll = listRequests()[listedBefore + 3];
		expect(nextPoll.status).toBe(200);
		expect(nextPoll.at - failedPoll[2].at).toBeGreaterThan(POLL_GAP_MS);
		expect(triggerItems(execution)).toEqual([
			expect.objectContaining({
				event: 'joined',
				groupJid: groupJidOf(DURING_OUTAGE),
				inviteCode: DURING_OUTAGE,
				requestedAt: null,
			}),
		]);
		// Two executions in all: the approval's and this one; the failed poll started none.
		expect((await executionIds()).size).toBe(2);
	},
	2 * NEXT_POLL_MS + 30_000,
);

test("the token is in no execution's data and no line of n8n's log", async () => {
	const executions = [
		...(await listExecutions(n8n, POLLING.id)),
		...(await listExecutions(n8n, JOIN.id)),
	];
	expect(executions.length).toBe(2 + 2);
	for (const execution of executions)
		expect((await getExecution(n8n, execution.id)).raw).not.toContain(ACCOUNT_TOKEN);
	expect(readFileSync(n8n.logFile, 'utf8')).not.toContain(ACCOUNT_TOKEN);
});

function listRequests(): LoggedRequest[] {
	return emulator.log.filter((entry) => entry.path === `/api/group/list/${MAIN_INSTANCE}`);
}

/**
 * List requests grouped into polls: a request is a retry of the poll before it when that one
 * failed seconds earlier (a poll waits 20 s at most between its tries); polls come a minute apart.
 */
function polls(): LoggedRequest[][] {
	const grouped: LoggedRequest[][] = [];
	for (const entry of listRequests()) {
		const previous = grouped.at(-1)?.at(-1);
		const retry = previous && previous.status !== 200 && entry.at - previous.at < POLL_GAP_MS;
		if (retry) grouped.at(-1)?.push(entry);
		else grouped.push([entry]);
	}
	return grouped;
}

async function executionIds(): Promise<Set<string>> {
	return new Set((await listExecutions(n8n, POLLING.id)).map((execution) => execution.id));
}

/** Waits for `count` finished executions of the polling workflow not in `seen`; exactly that many. */
async function newExecutions(seen: Set<string>, count: number): Promise<ExecutionWithData[]> {
	let last = '';
	const finished = await waitFor(
		`${count} new execution(s) of the polling workflow`,
		async () => {
			const fresh = (await listExecutions(n8n, POLLING.id)).filter(
				(execution) => !seen.has(execution.id),
			);
			last = JSON.stringify(fresh);
			const done = fresh.filter((execution) => !['new', 'running'].includes(execution.status));
			return done.length >= count && done.length === fresh.length ? done : undefined;
		},
		{
			timeoutMs: NEXT_POLL_MS,
			everyMs: 500,
			lastSeen: () =>
				`${last}; list requests ${JSON.stringify(listRequests())}\n${n8n.logTail(20)}`,
		},
	);
	expect(finished).toHaveLength(count);
	const sorted = finished.sort((a, b) => Number(a.id) - Number(b.id));
	return await Promise.all(sorted.map((execution) => getExecution(n8n, execution.id)));
}

/** The items the polling trigger emitted in this execution. */
function triggerItems(execution: ExecutionWithData): Array<Record<string, unknown>> {
	return (execution.outputs[POLLING.trigger]?.[0] ?? []).map((item) => item.json);
}
