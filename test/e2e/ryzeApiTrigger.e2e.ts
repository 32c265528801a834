/**
 * The RyzeAPI Trigger end to end, in a real n8n 2.8.4 (run by `npm run test:e2e`): the packed
 * package installed as n8n installs community packages, the approval loop and instance alert
 * examples imported with n8n's CLI, published and unpublished through n8n's REST API as the
 * editor does, and RyzeAPI's events delivered by the emulator to n8n's webhook URLs. One n8n
 * start for the file, and one restart (the last test).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ACCOUNT_TOKEN, MAIN_INSTANCE, RyzeApiEmulator } from '../support/emulator/server';
import {
	APPROVAL_LOOP_EXAMPLE,
	exampleCredentials,
	inDaytime,
	INSTANCE_ALERT_EXAMPLE,
	instanceAlertTo,
	joinsUnpaced,
	nodeOfType,
	readExample,
	WEBHOOK_AUTH,
} from '../support/n8n/examples';
import type { ExecutionWithData, HttpAnswer } from '../support/n8n/rest';
import {
	activateWorkflow,
	deactivateWorkflow,
	getExecution,
	listExecutions,
	postJson,
} from '../support/n8n/rest';
import { freePort, installAsCommunityPackage, N8n, packProject } from '../support/n8n/realN8n';
import { RecordingServer } from '../support/recordingServer';
import { waitFor } from '../support/waitFor';

interface WebhookRow {
	label: string;
	enabled: boolean;
	url?: string;
	authorization?: string;
	byEvents?: boolean;
	events?: string[];
	[field: string]: unknown;
}

const installDir = process.env.N8N_E2E_INSTALL_DIR;
const emulator = new RyzeApiEmulator();
/** Stands in for the Slack/Discord/Teams incoming webhook of the alert example, and the user's own receivers. */
const receiver = new RecordingServer();
const approvalTrigger = nodeOfType(readExample(APPROVAL_LOOP_EXAMPLE.file), 'ryzeApiTrigger');
const alertTrigger = nodeOfType(readExample(INSTANCE_ALERT_EXAMPLE.file), 'ryzeApiTrigger');
/** Every Authorization the emulator held when asked (a disabled row keeps none). */
const authorizationsSeen = new Set<string>();
/**
 * Secrets that must appear in no execution and no log line of n8n: the envelope's, the
 * credential's, and every Authorization registered at the emulator, whole and its secret part
 * (n8n copies the workflow's static data into each stored execution: only a hash may be there).
 */
async function secrets(): Promise<string[]> {
	for (const row of await webhooks())
		if (row.authorization) authorizationsSeen.add(row.authorization);
	const registered = [...authorizationsSeen].flatMap((authorization) => [
		authorization,
		authorization.replace(/^Bearer /, ''),
	]);
	return [emulator.instanceToken(MAIN_INSTANCE), ACCOUNT_TOKEN, ...registered];
}
let workDir: string;
let n8n: N8n;
/** The user's own webhook, registered before n8n ever ran: n8n must leave it exactly as it is. */
let usersDefault: WebhookRow;
/** The rows n8n registered when each example was published (the first test). */
let approvalRow: WebhookRow;
let alertRow: WebhookRow;

beforeAll(async () => {
	if (!installDir)
		throw new Error('N8N_E2E_INSTALL_DIR is not set: run this suite with `npm run test:e2e`');
	workDir = mkdtempSync(join(tmpdir(), 'ryzeapi-trigger-e2e-'));
	const filesDir = join(workDir, 'files');
	mkdirSync(filesDir);
	await emulator.start();
	await receiver.start();
	await installAsCommunityPackage(workDir, await packProject(workDir));
	n8n = new N8n({ installDir, userFolder: workDir, filesDir, port: await freePort() });
	await n8n.importCredentials(
		exampleCredentials({ ryzeApi: emulator.url, openAi: 'http://127.0.0.1:9/v1' }),
	);
	await n8n.importWorkflows([
		inDaytime(joinsUnpaced(readExample(APPROVAL_LOOP_EXAMPLE.file), 'kept')),
		instanceAlertTo(`${receiver.url}/alert`),
	]);
	// As instance creation does: no label is the `default` row.
	const registered = await registerWebhook({
		url: `${receiver.url}/users-own`,
		authorization: 'Bearer the-users-own-secret',
		events: ['message.exchange'],
		byEvents: true,
	});
	expect(registered.status).toBe(200);
	usersDefault = rowLabelled(await webhooks(), 'default');
	await n8n.start();
}, 600_000);

afterAll(async () => {
	if (n8n) {
		const executions = [
			...(await listExecutions(n8n, APPROVAL_LOOP_EXAMPLE.id).catch(() => [])),
			...(await listExecutions(n8n, INSTANCE_ALERT_EXAMPLE.id).catch(() => [])),
		];
		const answered = emulator.deliveries.map((delivery) => delivery.status ?? delivery.error);
		console.log(
			`trigger e2e: ${registrationPosts()} registration POSTs to /api/events/webhook/, ${executions.length} executions, ${alertsPosted().length} alerts posted, deliveries answered ${JSON.stringify(answered)}`,
		);
	}
	await n8n?.stop();
	await emulator.close();
	await receiver.close();
	if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('publishing registers one n8n- label per trigger, with its n8n webhook URL, a Bearer secret and its events; the default webhook untouched', async () => {
	const postsBefore = registrationPosts();
	expect(await activateWorkflow(n8n, APPROVAL_LOOP_EXAMPLE.id)).toMatchObject({ status: 200 });
	expect(await activateWorkflow(n8n, INSTANCE_ALERT_EXAMPLE.id)).toMatchObject({ status: 200 });

	const rows = await webhooks();
	approvalRow = rowOf(rows, approvalTrigger.webhookId);
	alertRow = rowOf(rows, alertTrigger.webhookId);
	const registeredAs = (events: string[]) => ({
		label: expect.stringMatching(/^n8n-/),
		enabled: true,
		// 32 random bytes or more: at least 43 characters of base64url (or 64 of hex).
		authorization: expect.stringMatching(/^Bearer [A-Za-z0-9_-]{43,}$/),
		byEvents: false,
		events,
	});
	expect(approvalRow).toMatchObject(registeredAs(['group.flow']));
	expect(alertRow).toMatchObject(registeredAs(['instance.state']));
	expect(alertRow.label).not.toBe(approvalRow.label);
	expect(alertRow.authorization).not.toBe(approvalRow.authorization);
	expect(rowLabelled(rows, 'default')).toEqual(usersDefault);
	expect(rows).toHaveLength(3);
	expect(registrationPosts() - postsBefore).toBe(2);
});

test("an approved join runs the approval loop: Pending answers 202, the approval's trigger item carries the join's invite code and when it was asked, the token is stored nowhere", async () => {
	const code = 'ApprovalTrackedGroup1';
	const answer = await callApprovalLoop({ code });
	expect(answer).toEqual({
		status: 202,
		body: {
			status: 'pending_approval',
			groupJid: expect.stringMatching(/@g\.us$/),
			inviteCode: code,
		},
	});
	const { groupJid } = answer.body as { groupJid: string };

	const seen = await executionIds(APPROVAL_LOOP_EXAMPLE.id);
	const approvedAfter = Date.now();
	await emulatorControl('approve', { identifier: code });
	const [execution] = await newExecutions(APPROVAL_LOOP_EXAMPLE.id, seen, 1);
	expect(execution.status).toBe('success');
	const items = triggerItems(execution);
	expect(items).toEqual([
		expect.objectContaining({
			event: 'group.flow',
			instance: MAIN_INSTANCE,
			groupJid,
			change: 'joined',
			// Who joined: the instance's own number, read from the payload's {jid, name} list.
			participants: [expect.stringMatching(/@s\.whatsapp\.net$/)],
			data: expect.objectContaining({ type: 'joined', groupJid }),
			// From the join ledger, which held the join as pending: ours, asked before the approval.
			inviteCode: code,
			requestedAt: expect.any(String),
		}),
	]);
	expect(Date.parse(String(items[0].requestedAt))).toBeLessThanOrEqual(approvedAfter);
	const { participants } = items[0].data as { participants: Array<{ jid: string }> };
	expect(items[0].participants).toEqual(participants.map((participant) => participant.jid));
	expect(nodeItems(execution, 'Approved')).toEqual([
		expect.objectContaining({ groupJid, inviteCode: code, requestedAt: items[0].requestedAt }),
	]);
	// The search below reads the stored data itself: the group is in it, the secrets are not.
	expect(execution.raw).toContain(groupJid);
	for (const secret of await secrets()) {
		expect(execution.raw).not.toContain(secret);
		expect(readFileSync(n8n.logFile, 'utf8')).not.toContain(secret);
	}
});

test('an open join through the approval loop answers joined; its own group.flow event, not a pending join of ours, stops at "Our join request?"; the same code again sends nothing', async () => {
	const seen = await executionIds(APPROVAL_LOOP_EXAMPLE.id);
	const code = 'OpenTrackedGroup2';
	const answer = await callApprovalLoop({ link: `https://chat.whatsapp.com/${code}` });
	expect(answer).toEqual({
		status: 200,
		body: {
			status: 'joined',
			groupJid: expect.stringMatching(/@g\.us$/),
			inviteCode: code,
			fromLedger: false,
		},
	});
	// The webhook's execution, and the trigger's: RyzeAPI reports the instance's own join too.
	const executions = await newExecutions(APPROVAL_LOOP_EXAMPLE.id, seen, 2);
	expect(executions.map((execution) => execution.status)).toEqual(['success', 'success']);
	const { groupJid } = answer.body as { groupJid: string };
	const eventItems = executions.flatMap(triggerItems);
	expect(eventItems).toEqual([
		expect.objectContaining({ event: 'group.flow', groupJid, change: 'joined' }),
	]);
	expect(eventItems[0]).not.toHaveProperty('requestedAt');
	expect(executions.flatMap((execution) => nodeItems(execution, 'Approved'))).toEqual([]);

	const joinsBefore = emulator.joinRequests().length;
	const again = await callApprovalLoop({ code });
	expect(again).toEqual({
		status: 200,
		body: { status: 'joined', groupJid, inviteCode: code, fromLedger: true },
	});
	expect(emulator.joinRequests()).toHaveLength(joinsBefore);
});

test("the trigger's URL refuses a wrong or missing Authorization (401) and a body that is not RyzeAPI's envelope (400), with no execution", async () => {
	const envelope = {
		event: 'group.flow',
		data: { type: 'joined', groupJid: '120363000000000001@g.us', participants: [] },
		instanceData: { baseUrl: emulator.url, instance: MAIN_INSTANCE, token: 'forged-token' },
	};
	const secret = String(approvalRow.authorization);
	const url = String(approvalRow.url);
	const seen = await executionIds(APPROVAL_LOOP_EXAMPLE.id);
	const answers: HttpAnswer[] = [
		await postJson(url, envelope),
		await postJson(url, envelope, { authorization: 'Bearer a-guessed-secret' }),
		// As long as the real one, one character off: the comparison reads every character.
		await postJson(url, envelope, {
			authorization: `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`,
		}),
		await postJson(url, envelope, { authorization: secret.replace('Bearer ', '') }),
		await postJson(url, { hello: 'not an event' }, { authorization: secret }),
		await postJson(url, { ...envelope, instanceData: undefined }, { authorization: secret }),
	];
	expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 400, 400]);

	// Then a real event: it is the one execution the calls above are followed by.
	const groupJid = '120363000000000002@g.us';
	await emulatorControl('events', {
		event: 'group.flow',
		data: {
			type: 'joined',
			groupJid,
			groupName: 'Barrier',
			timestamp: new Date().toISOString(),
			participants: [],
		},
	});
	const newOnes = await newExecutions(APPROVAL_LOOP_EXAMPLE.id, seen, 1);
	expect(newOnes.map((execution) => triggerItems(execution)[0]?.groupJid)).toEqual([groupJid]);
	expect((await executionIds(APPROVAL_LOOP_EXAMPLE.id)).size).toBe(seen.size + 1);
});

test("the instance alert example posts one alert for temp_banned, none for connected; temp_banned pauses the number's joins in every workflow", async () => {
	const seen = await executionIds(INSTANCE_ALERT_EXAMPLE.id);
	await emulatorControl('instance-state', { state: 'temp_banned' });
	const [alert] = await waitFor('the alert of temp_banned', () => {
		const posted = alertsPosted();
		return posted.length > 0 ? posted : undefined;
	});
	expect(alert.method).toBe('POST');
	const { text, content } = alert.body as { text: string; content: string };
	expect(text).toContain(`"${MAIN_INSTANCE}"`);
	expect(text).toContain('temp_banned');
	expect(text).toMatch(/pause its joins for 24 hours/);
	expect(content).toBe(text);
	// The trigger paused the number's joins in the ledger: another workflow's join now waits.
	const joinsBefore = emulator.joinRequests().length;
	const held = await callApprovalLoop({ code: 'OpenAfterTheBan3' });
	expect(held).toMatchObject({
		status: 429,
		body: { status: 'deferred', reason: 'instance_restricted', inviteCode: 'OpenAfterTheBan3' },
	});
	const wait = Date.parse(String((held.body as { notBefore: unknown }).notBefore)) - Date.now();
	expect(wait).toBeGreaterThan(23 * 3_600_000);
	expect(emulator.joinRequests()).toHaveLength(joinsBefore);

	await emulatorControl('instance-state', { state: 'connected' });
	await emulator.deliveriesSettled();
	// n8n answered the delivery of connected: had it started an execution, it would be listed now.
	expect(await newExecutions(INSTANCE_ALERT_EXAMPLE.id, seen, 1)).toHaveLength(1);
	expect(alertsPosted()).toHaveLength(1);
});

test('unpublishing through REST disables only its own label (row kept) and leaves the default and the other trigger as they were', async () => {
	const before = await webhooks();
	expect(await deactivateWorkflow(n8n, APPROVAL_LOOP_EXAMPLE.id)).toMatchObject({ status: 200 });
	const after = await webhooks();
	expect(rowLabelled(after, approvalRow.label)).toMatchObject({ enabled: false });
	const others = (rows: WebhookRow[]) => rows.filter((row) => row.label !== approvalRow.label);
	expect(others(after)).toEqual(others(before));
	expect(rowLabelled(after, 'default')).toEqual(usersDefault);
	expect(rowLabelled(after, alertRow.label)).toEqual(alertRow);
});

test('with 3 other enabled webhooks on the instance, publishing is refused and the error names them', async () => {
	// Enabled now: the user's default and the alert example's; a third of the user's fills the slots.
	expect(
		(
			await registerWebhook({
				label: 'crm',
				url: `${receiver.url}/crm`,
				events: ['message.exchange'],
			})
		).status,
	).toBe(200);
	const postsBefore = registrationPosts();
	const refused = await activateWorkflow(n8n, APPROVAL_LOOP_EXAMPLE.id);
	expect(refused.status).toBe(400);
	const message = String((refused.body as { message?: unknown }).message);
	for (const label of ['default', 'crm', alertRow.label]) expect(message).toContain(label);
	expect(rowLabelled(await webhooks(), approvalRow.label)).toMatchObject({ enabled: false });
	console.log(
		`trigger e2e: refused activation said: ${message} (${registrationPosts() - postsBefore} registration POSTs)`,
	);

	// A slot freed, publishing works again: the same label, enabled.
	expect((await registerWebhook({ label: 'crm', enabled: false })).status).toBe(200);
	expect(await activateWorkflow(n8n, APPROVAL_LOOP_EXAMPLE.id)).toMatchObject({ status: 200 });
	expect(rowLabelled(await webhooks(), approvalRow.label)).toMatchObject({
		enabled: true,
		url: approvalRow.url,
		events: ['group.flow'],
	});
});

test('restarted on the same user folder, n8n registers nothing again, and events still arrive', async () => {
	const rowsBefore = await webhooks();
	const postsBefore = registrationPosts();
	await n8n.stop();
	await n8n.start();
	await n8n.waitForActivation(APPROVAL_LOOP_EXAMPLE.id);
	await n8n.waitForActivation(INSTANCE_ALERT_EXAMPLE.id);
	expect(registrationPosts()).toBe(postsBefore);
	expect(await webhooks()).toEqual(rowsBefore);

	const alertsBefore = alertsPosted().length;
	await emulatorControl('instance-state', { state: 'logged_out' });
	const alert = await waitFor(
		'the alert of logged_out after the restart',
		() => alertsPosted()[alertsBefore],
	);
	expect((alert.body as { text: string }).text).toContain('logged_out');
	for (const secret of await secrets())
		expect(readFileSync(n8n.logFile, 'utf8')).not.toContain(secret);
}, 300_000);

/** Calls the approval loop's webhook as its callers must: with the Header Auth header. */
async function callApprovalLoop(body: unknown): Promise<HttpAnswer> {
	return await postJson(`${n8n.url}/webhook/${APPROVAL_LOOP_EXAMPLE.path}`, body, {
		[WEBHOOK_AUTH.header]: WEBHOOK_AUTH.value,
	});
}

/** Registers (upserts by label) a webhook of the instance at the emulator, as a user would with their token. */
async function registerWebhook(body: Record<string, unknown>): Promise<HttpAnswer> {
	return await postJson(`${emulator.url}/api/events/webhook/${MAIN_INSTANCE}`, body, {
		token: ACCOUNT_TOKEN,
	});
}

/** Every webhook row of the instance, as RyzeAPI lists them. */
async function webhooks(): Promise<WebhookRow[]> {
	const response = await fetch(`${emulator.url}/api/events/getWebhook/${MAIN_INSTANCE}`, {
		headers: { token: ACCOUNT_TOKEN },
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { webhooks: WebhookRow[] }).webhooks;
}

function rowLabelled(rows: WebhookRow[], label: string): WebhookRow {
	const row = rows.find((candidate) => candidate.label === label);
	if (!row) throw new Error(`No webhook labelled ${label}: ${JSON.stringify(rows)}`);
	return row;
}

/** The row whose URL is n8n's URL for the trigger node with this webhookId. */
function rowOf(rows: WebhookRow[], webhookId: string | undefined): WebhookRow {
	const prefix = `${n8n.url}/webhook/${webhookId}`;
	const found = rows.filter((row) => row.url === prefix || row.url?.startsWith(`${prefix}/`));
	if (found.length !== 1) throw new Error(`Not one row with ${prefix}: ${JSON.stringify(rows)}`);
	return found[0];
}

/** POSTs to the registration route so far (the user's own and n8n's). */
function registrationPosts(): number {
	return emulator.log.filter(
		(entry) => entry.method === 'POST' && entry.path.startsWith('/api/events/webhook/'),
	).length;
}

/** One of the emulator's control routes for the main instance; it answers 200 once the event is queued. */
async function emulatorControl(route: string, body: unknown): Promise<void> {
	const answer = await postJson(`${emulator.url}/_emulator/${route}/${MAIN_INSTANCE}`, body);
	expect(answer.status).toBe(200);
}

function alertsPosted() {
	return receiver.received.filter((request) => request.path === '/alert');
}

async function executionIds(workflowId: string): Promise<Set<string>> {
	return new Set((await listExecutions(n8n, workflowId)).map((execution) => execution.id));
}

/**
 * Waits for `count` executions of the workflow that are not in `seen` to finish, and returns them
 * with their data, oldest first.
 */
async function newExecutions(
	workflowId: string,
	seen: Set<string>,
	count: number,
): Promise<ExecutionWithData[]> {
	let last = '';
	const finished = await waitFor(
		`${count} new execution(s) of ${workflowId}`,
		async () => {
			const fresh = (await listExecutions(n8n, workflowId)).filter(
				(execution) => !seen.has(execution.id),
			);
			last = JSON.stringify(fresh);
			const done = fresh.filter((execution) => !['new', 'running'].includes(execution.status));
			return done.length >= count && done.length === fresh.length ? done : undefined;
		},
		{ lastSeen: () => `${last}\n${n8n.logTail(20)}` },
	);
	const sorted = finished.sort((a, b) => Number(a.id) - Number(b.id));
	return await Promise.all(sorted.map((execution) => getExecution(n8n, execution.id)));
}

/** The items the RyzeAPI Trigger emitted in this execution. */
function triggerItems(execution: ExecutionWithData): Array<Record<string, unknown>> {
	return nodeItems(execution, 'RyzeAPI Trigger');
}

/** The items a node put on its first output in this execution (none when it did not run). */
function nodeItems(execution: ExecutionWithData, node: string): Array<Record<string, unknown>> {
	return (execution.outputs[node]?.[0] ?? []).map((item) => item.json);
}
