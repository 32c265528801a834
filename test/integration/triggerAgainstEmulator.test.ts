/**
 * The RyzeAPI Trigger's I/O against the emulator, in n8n-core's own HookContext and
 * WebhookContext (test/support/triggerHarness.ts): what activation registers at the provider,
 * when it counts as registered already, what deactivation disables, a full instance, the
 * provider's refusals, and deliveries from the emulator to the node's real URL on loopback.
 */
import { createHash } from 'node:crypto';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import { webhookLabel } from '../../nodes/RyzeApi/trigger/label';
import type { FaultKind } from '../support/emulator/server';
import { ACCOUNT_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import { groupJidOf, instanceJidOf } from '../support/emulator/groups';
import type { Webhook as Row } from '../support/emulator/webhooks';
import { runRyzeApiNode, shutDownEngine } from '../support/engine';
import { joinUnpaced, ledgerRecordOf } from '../support/ledgerRuns';
import type { TriggerMode } from '../support/triggerHarness';
import { TriggerHarness } from '../support/triggerHarness';
import { useEmulator } from '../support/useEmulator';

const NOW = Date.UTC(2026, 0, 15, 10, 0, 0);
const emulator = useEmulator({
	now: () => NOW,
	delivery: { attempts: 2, backoffMs: 5, timeoutMs: 2_000 },
});
afterAll(shutDownEngine);

const EVENTS = ['group.flow', 'instance.state'];

let harness: TriggerHarness;
let workflowCount = 0;

beforeEach(async () => {
	// A workflow id per test: the node's duplicate memory is per label, for the whole process.
	harness = await new TriggerHarness({
		workflowId: `wf${++workflowCount}Trigger`,
		credentials: credentials(),
		parameters: { events: EVENTS },
	}).start();
});
afterEach(async () => {
	try {
		harness.expectStaticDataFreeOf(await registeredSecrets());
	} finally {
		await emulator.deliveriesSettled();
		await harness.settled();
		await harness.close();
	}
});

function credentials(token = ACCOUNT_TOKEN) {
	return { baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token };
}

/** The provider's API, called as a user (or their other tools) would. */
async function api(
	method: 'GET' | 'POST',
	route: string,
	body?: unknown,
	instance = MAIN_INSTANCE,
): Promise<IDataObject> {
	const response = await fetch(`${emulator.url}/api/${route}/${instance}`, {
		method,
		headers: { token: ACCOUNT_TOKEN, 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return (await response.json()) as IDataObject;
}

async function rows(instance = MAIN_INSTANCE): Promise<Row[]> {
	return (await api('GET', 'events/getWebhook', undefined, instance)).webhooks as unknown as Row[];
}

async function rowOf(label: string): Promise<Row | undefined> {
	return (await rows()).find((row) => row.label === label);
}

/** Every Authorization the emulator was given so far (a disabled row keeps none), and its secret. */
const authorizationsSeen = new Set<string>();
async function registeredSecrets(): Promise<string[]> {
	for (const row of await rows()) if (row.authorization) authorizationsSeen.add(row.authorization);
	return [...authorizationsSeen].flatMap((authorization) => [
		authorization,
		authorization.replace(/^Bearer /, ''),
	]);
}

/** The Authorization our row holds at the emulator: the static data has only its hash. */
async function authorizationOf(label: string): Promise<string> {
	const authorization = (await rowOf(label))?.authorization;
	if (!authorization) throw new Error(`no authorization registered for ${label}`);
	return authorization;
}

async function registerOwn(label: string, fields: Partial<Row> = {}): Promise<void> {
	await api('POST', 'events/webhook', {
		label,
		url: `https://hooks.example.invalid/${label}`,
		authorization: `Bearer own-${label}`,
		events: ['message.exchange'],
		...fields,
	});
}

function registrationPosts(): number {
	return emulator.log.filter(
		(entry) => entry.method === 'POST' && entry.path.startsWith('/api/events/webhook/'),
	).length;
}

function storedLabel(mode: TriggerMode): string {
	const label = harness.staticData(mode).label;
	if (typeof label !== 'string') throw new Error('no label stored');
	return label;
}

/**
 * The next registration POST gets this fault, not the list request before it: queued as the
 * emulator logs the POST, just before it picks the request's fault.
 */
function faultOnNextRegistrationPost(kind: FaultKind, count = 1): void {
	const log = emulator.log as typeof emulator.log & { push: typeof Array.prototype.push };
	log.push = (...entries) => {
		if (
			entries.some(
				(entry) => entry.method === 'POST' && entry.path.startsWith('/api/events/webhook/'),
			)
		) {
			// Back to Array.prototype.push for every later request.
			delete (log as { push?: unknown }).push;
			emulator.queueFault(kind, count);
		}
		return Array.prototype.push.apply(log, entries);
	};
}

async function failureOf(work: Promise<unknown>): Promise<Error> {
	const outcome = await work.then(
		() => undefined,
		(error: unknown) => error,
	);
	if (!(outcome instanceof Error)) throw new Error('expected it to throw');
	return outcome;
}

async function deliveriesDone(): Promise<void> {
	await emulator.deliveriesSettled();
	await harness.settled();
}

describe('create', () => {
	test('an active workflow registers its own n8n- label: its URL, a Bearer secret, the chosen events, byEvents off', async () => {
		await registerOwn('default');
		const before = await rowOf('default');
		await harness.activate('trigger');

		const label = storedLabel('trigger');
		expect(label).toMatch(/^n8n-wf\d+Trigger-[0-9a-f]{10}$/);
		expect(await rowOf(label)).toEqual({
			label,
			enabled: true,
			url: harness.webhookUrl('trigger'),
			authorization: expect.stringMatching(/^Bearer [A-Za-z0-9_-]{43,}$/),
			byEvents: false,
			events: EVENTS,
			mediaBase64: false,
		});
		// Only the hash of the header is kept: n8n copies static data into every stored execution.
		const authorization = await authorizationOf(label);
		expect(harness.staticData('trigger')).toEqual({
			label,
			authorizationHash: createHash('sha256').update(authorization).digest('hex'),
			origin: emulator.url,
			basePath: '',
			instance: MAIN_INSTANCE,
		});
		harness.expectStaticDataFreeOf(await registeredSecrets());
		expect(harness.webhookUrl('trigger')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook\/[^/]/);
		expect(await rowOf('default')).toEqual(before);
	});

	test('the editor listening registers an n8n-test- label with the test URL, beside the active one', async () => {
		await harness.activate('trigger');
		await harness.activate('manual');

		const active = storedLabel('trigger');
		const listening = storedLabel('manual');
		expect(listening).toMatch(/^n8n-test-wf\d+Trigger-[0-9a-f]{10}$/);
		expect(listening).not.toBe(active);
		const row = await rowOf(listening);
		expect(row).toMatchObject({
			enabled: true,
			url: harness.webhookUrl('manual'),
			byEvents: false,
		});
		expect(row?.url).toContain('/webhook-test/');
		expect(row?.authorization).toMatch(/^Bearer [A-Za-z0-9_-]{43,}$/);
		expect(row?.authorization).not.toBe(await authorizationOf(active));
		harness.expectStaticDataFreeOf(await registeredSecrets());
		expect(await rowOf(active)).toMatchObject({
			enabled: true,
			url: harness.webhookUrl('trigger'),
		});
	});
});

describe('checkExists', () => {
	test('false before create, true after, so a restart of n8n registers nothing again', async () => {
		expect(await harness.run('checkExists', 'trigger')).toBe(false);
		await harness.activate('trigger');
		expect(registrationPosts()).toBe(1);
		expect(await harness.run('checkExists', 'trigger')).toBe(true);

		harness.restart();
		await harness.activate('trigger');
		expect(registrationPosts()).toBe(1);
	});

	test.each([
		['disabled at the provider', { enabled: false }],
		['its URL changed', { url: 'https://elsewhere.example.invalid/hook' }],
		['its events changed', { events: ['message.exchange'] }],
	])('false when the row was %s', async (_case, change) => {
		await harness.activate('trigger');
		const label = storedLabel('trigger');
		const row = await rowOf(label);
		await api('POST', 'events/webhook', { ...row, ...change });

		expect(await harness.run('checkExists', 'trigger')).toBe(false);
	});

	test('false when the static data lost the hash', async () => {
		await harness.activate('trigger');
		delete harness.staticData('trigger').authorizationHash;

		expect(await harness.run('checkExists', 'trigger')).toBe(false);
	});

	test("an older build's plain secret is not current: create registers anew, keeps only the hash", async () => {
		await harness.activate('trigger');
		const label = storedLabel('trigger');
		const old = await authorizationOf(label);
		const staticData = harness.staticData('trigger');
		// As an older build left it: the plain secret, no hash.
		delete staticData.authorizationHash;
		staticData.secret = old.replace(/^Bearer /, '');
		staticData.__dataChanged = true;

		await harness.activate('trigger');

		expect(registrationPosts()).toBe(2);
		const renewed = await authorizationOf(label);
		expect(renewed).not.toBe(old);
		expect(harness.staticData('trigger').secret).toBeUndefined();
		expect(harness.staticData('trigger').authorizationHash).toBe(
			createHash('sha256').update(renewed).digest('hex'),
		);
		harness.expectStaticDataFreeOf(await registeredSecrets());
	});
});

describe('delete', () => {
	test('disables its own label only and forgets the secret', async () => {
		await registerOwn('default');
		await registerOwn('crm');
		await harness.activate('trigger');
		const label = storedLabel('trigger');
		const others = (await rows()).filter((row) => row.label !== label);
		const posts = registrationPosts();

		expect(await harness.deactivate('trigger')).toBe(true);

		expect(registrationPosts()).toBe(posts + 1);
		expect(await rowOf(label)).toMatchObject({ label, enabled: false, url: '', authorization: '' });
		expect((await rows()).filter((row) => row.label !== label)).toEqual(others);
		expect(harness.staticData('trigger').authorizationHash).toBeUndefined();
		expect(harness.staticData('trigger').label).toBeUndefined();
	});
});

describe("the credential's instance changed while active", () => {
	const OTHER_INSTANCE = 'second';

	test('delete disables the label at the instance it was registered at (same token); the new one untouched', async () => {
		await api(
			'POST',
			'events/webhook',
			{ label: 'crm', url: 'https://crm.example/x' },
			OTHER_INSTANCE,
		);
		await harness.activate('trigger');
		const label = storedLabel('trigger');
		const otherBefore = await rows(OTHER_INSTANCE);
		harness.credentials = { ...credentials(), instanceName: OTHER_INSTANCE };

		expect(await harness.deactivate('trigger')).toBe(true);

		expect(await rowOf(label)).toMatchObject({ label, enabled: false, url: '' });
		expect(await rows(OTHER_INSTANCE)).toEqual(otherBefore);
		const disables = emulator.log.filter((entry) => entry.method === 'POST').slice(-1);
		expect(disables.map((entry) => entry.path)).toEqual([`/api/events/webhook/${MAIN_INSTANCE}`]);
		expect(harness.staticData('trigger')).toEqual({});
	});

	test("activated again, create frees the old instance's row and registers at the new one", async () => {
		await harness.activate('trigger');
		const label = storedLabel('trigger');
		harness.credentials = { ...credentials(), instanceName: OTHER_INSTANCE };
		harness.restart();

		await harness.activate('trigger');

		expect(await rowOf(label)).toMatchObject({ enabled: false });
		expect((await rows(OTHER_INSTANCE)).find((row) => row.label === label)).toMatchObject({
			enabled: true,
			url: harness.webhookUrl('trigger'),
		});
		expect(harness.staticData('trigger').instance).toBe(OTHER_INSTANCE);
	});

	test('another server in the credential: delete sends the token nowhere else and warns which row to disable', async () => {
		const warn = jest.spyOn(Container.get(Logger), 'warn').mockImplementation(() => undefined);
		try {
			await harness.activate('trigger');
			const label = storedLabel('trigger');
			const posts = registrationPosts();
			harness.credentials = { ...credentials(), baseUrl: `${emulator.url}/elsewhere` };

			expect(await harness.deactivate('trigger')).toBe(false);

			expect(registrationPosts()).toBe(posts);
			expect(await rowOf(label)).toMatchObject({ enabled: true });
			expect(warn).toHaveBeenCalledWith(
				expect.stringContaining(`Could not disable the RyzeAPI webhook ${JSON.stringify(label)}`),
			);
			expect(String(warn.mock.calls[0][0])).not.toContain(ACCOUNT_TOKEN);
			expect(harness.staticData('trigger')).toEqual({});
		} finally {
			warn.mockRestore();
		}
	});
});

describe('a full instance', () => {
	test.each<TriggerMode>(['trigger', 'manual'])(
		"3 other enabled webhooks (%s): create throws naming them and how to free one; n8n's clean-up posts nothing either",
		async (mode) => {
			await registerOwn('default');
			await registerOwn('crm');
			await registerOwn('ops');
			const before = await rows();
			const posts = registrationPosts();

			const error = await failureOf(harness.activate(mode));

			expect(error.message).toContain('"crm", "default", "ops"');
			expect(error.message).toMatch(/Free one: deactivate the n8n workflow/);
			expect(registrationPosts()).toBe(posts);
			expect(await rows()).toEqual(before);
			expect(harness.staticData(mode).authorizationHash).toBeUndefined();
		},
	);

	test('a disabled row does not count', async () => {
		await registerOwn('default');
		await registerOwn('crm');
		await registerOwn('old');
		await api('POST', 'events/webhook', { label: 'old', enabled: false });

		await harness.activate('trigger');

		expect(await rowOf(storedLabel('trigger'))).toMatchObject({ enabled: true });
	});
});

describe('a registration POST that gets no answer', () => {
	afterEach(() => {
		delete (emulator.log as { push?: unknown }).push;
	});

	// A connection reset stands for every lost answer (a timeout is the same kind: no answer), so the
	// test needs no shorter deadline than users get.
	test.each<FaultKind>(['reset'])(
		"%s: create disables its label before throwing, which n8n's production clean-up cannot",
		async (fault) => {
			const label = webhookLabel(harness.workflowId, harness.node('trigger').id, false);
			// As if the POST had reached RyzeAPI and only its answer was lost.
			await registerOwn(label, { url: harness.webhookUrl('trigger'), events: EVENTS });
			faultOnNextRegistrationPost(fault);

			const error = await failureOf(harness.activate('trigger'));

			expect(error.message).toMatch(/^Could not register the RyzeAPI webhook/);
			expect(await rowOf(label)).toMatchObject({ label, enabled: false, authorization: '' });
			// The register and the best-effort disable; n8n's clean-up (static data from the database,
			// which never saw the label) posts nothing.
			expect(registrationPosts()).toBe(3);
			expect(harness.staticData('trigger').authorizationHash).toBeUndefined();
		},
	);

	test("the best-effort disable failing too: the error is still the registration's", async () => {
		// The register and the disable after it.
		faultOnNextRegistrationPost('reset', 2);

		const error = await failureOf(harness.activate('trigger'));

		expect(error.message).toMatch(/^Could not register the RyzeAPI webhook/);
		expect(error.message).toMatch(/Could not reach|did not answer/);
		expect(registrationPosts()).toBe(2);
	});
});

describe("the provider's refusals", () => {
	test('a refused token: the error says to check the Token in the RyzeAPI credential', async () => {
		harness.credentials = credentials('not-a-token');

		const error = await failureOf(harness.activate('trigger'));

		expect(error.message).toMatch(/401/);
		expect(error.message).toMatch(/Check the Token in the RyzeAPI credential/);
		expect(registrationPosts()).toBe(0);
	});

	test('429: the error says when to try again', async () => {
		emulator.queueFault('rateLimited');

		const error = await failureOf(harness.activate('trigger'));

		expect(error.message).toMatch(/429/);
		expect(error.message).toMatch(/Try again after \d{4}-\d\d-\d\dT/);
	});

	test('RyzeAPI failing at activation with nothing stored: a clear error, nothing registered', async () => {
		emulator.queueFault('unavailable');

		const error = await failureOf(harness.activate('trigger'));

		expect(error.message).toMatch(/^Could not list the webhooks for the RyzeAPI webhook/);
		expect(error.message).toMatch(/HTTP 503/);
		expect(registrationPosts()).toBe(0);
		expect(harness.staticData('trigger').label).toBeUndefined();
	});
});

describe('RyzeAPI unreachable when n8n restarts', () => {
	let warnings: string[];
	beforeEach(() => {
		warnings = [];
		jest.spyOn(Container.get(Logger), 'warn').mockImplementation((message: string) => {
			warnings.push(message);
		});
	});
	afterEach(() => jest.restoreAllMocks());

	test.each<FaultKind>(['serverError', 'unavailable', 'rateLimited', 'reset'])(
		'%s: checkExists keeps the registration n8n and RyzeAPI share, with a warning; deliveries still pass',
		async (fault) => {
			await harness.activate('trigger');
			const label = storedLabel('trigger');
			const stored = { ...harness.staticData('trigger') };
			const authorization = await authorizationOf(label);
			harness.restart();
			emulator.queueFault(fault);

			await harness.activate('trigger');

			expect(registrationPosts()).toBe(1);
			expect(harness.staticData('trigger')).toMatchObject(stored);
			expect(warnings).toHaveLength(1);
			expect(warnings[0]).toContain(`Could not check the RyzeAPI webhook ${JSON.stringify(label)}`);
			expect(warnings[0]).toMatch(/kept as registered/);
			for (const secret of [
				authorization,
				authorization.replace(/^Bearer /, ''),
				ACCOUNT_TOKEN,
				emulator.instanceToken(MAIN_INSTANCE),
			])
				expect(warnings[0]).not.toContain(secret);

			expect(emulator.reportInstanceState(MAIN_INSTANCE, 'connected')).toBe(1);
			await deliveriesDone();
			expect(harness.received.map((reception) => reception.status)).toEqual([200]);
		},
	);

	test('a hash stored for another label (the node was copied, say) is not kept: nothing stored for this one', async () => {
		await harness.activate('trigger');
		harness.staticData('trigger').label = 'n8n-another-0123456789';
		const requests = emulator.log.length;

		// Not current, without asking RyzeAPI: create then lists and registers (or says why not).
		expect(await harness.run('checkExists', 'trigger')).toBe(false);
		expect(emulator.log).toHaveLength(requests);
		expect(warnings).toEqual([]);
	});
});

describe('deliveries to the real URL', () => {
	function itemsOf(index: number): INodeExecutionData[] | undefined {
		return harness.received[index]?.result?.workflowData?.[0];
	}

	test('an approved join becomes one group.flow item without the instance token; a redelivery does not', async () => {
		await harness.activate('trigger');
		const code = 'ApprovalTrigger';
		const joined = await runRyzeApiNode({
			nodeType: new RyzeApi(),
			items: [{ code }],
			parameters: {
				resource: 'group',
				operation: 'join',
				identifier: '={{ $json.code }}',
				options: {},
			},
			credentials: credentials(),
		});
		expect(joined.status).toBe('success');

		expect(emulator.approvePendingJoin(MAIN_INSTANCE, code)).toBe(1);
		await deliveriesDone();

		expect(harness.received).toHaveLength(1);
		expect(harness.received[0].status).toBe(200);
		const items = itemsOf(0);
		expect(items).toHaveLength(1);
		expect(items?.[0].json).toMatchObject({
			event: 'group.flow',
			instance: MAIN_INSTANCE,
			groupJid: groupJidOf(code),
			change: 'joined',
			participants: [instanceJidOf(MAIN_INSTANCE)],
		});
		const token = emulator.instanceToken(MAIN_INSTANCE);
		expect(JSON.stringify(harness.received[0].body)).toContain(token);
		expect(JSON.stringify(harness.received[0].result)).not.toContain(token);

		const { data } = harness.received[0].body as { data: unknown };
		expect(emulator.emit(MAIN_INSTANCE, 'group.flow', data)).toBe(1);
		await deliveriesDone();

		expect(harness.received).toHaveLength(2);
		expect(harness.received[1].status).toBe(200);
		expect(harness.received[1].result?.workflowData).toBeUndefined();
	});

	test('a wrong or missing Authorization gets 401 and starts nothing', async () => {
		await harness.activate('trigger');
		const envelope = {
			event: 'instance.state',
			data: { state: 'connected', timestamp: new Date(NOW).toISOString() },
			instanceData: { baseUrl: emulator.url, instance: MAIN_INSTANCE, token: 'x' },
		};

		const wrong = await harness.post('trigger', envelope, { Authorization: 'Bearer wrong' });
		const missing = await harness.post('trigger', envelope);

		expect([wrong.status, missing.status]).toEqual([401, 401]);
		expect(harness.received.map((reception) => reception.result?.workflowData)).toEqual([
			undefined,
			undefined,
		]);
	});

	test('a temp_banned instance becomes an instance.state item', async () => {
		await harness.activate('trigger');

		expect(emulator.reportInstanceState(MAIN_INSTANCE, 'temp_banned')).toBe(1);
		await deliveriesDone();

		expect(harness.received.map((reception) => reception.status)).toEqual([200]);
		expect(itemsOf(0)?.[0].json).toMatchObject({
			event: 'instance.state',
			instance: MAIN_INSTANCE,
			state: 'temp_banned',
		});
	});

	test('while the editor listens, the test URL receives, with the secret of the test registration', async () => {
		await harness.activate('manual');

		expect(emulator.reportInstanceState(MAIN_INSTANCE, 'qr_ready')).toBe(1);
		await deliveriesDone();

		expect(harness.received.map((reception) => reception.path)).toEqual([
			new URL(harness.webhookUrl('manual')).pathname,
		]);
		expect(itemsOf(0)?.[0].json).toMatchObject({ event: 'instance.state', state: 'qr_ready' });
		expect(harness.staticData('trigger').authorizationHash).toBeUndefined();
	});

	test('the instance token inside a payload is redacted too', async () => {
		await harness.activate('trigger');
		const token = emulator.instanceToken(MAIN_INSTANCE);
		const data = { state: 'connected', detail: `reconnected with ${token}`, session: { token } };

		expect(emulator.emit(MAIN_INSTANCE, 'instance.state', data)).toBe(1);
		await deliveriesDone();

		expect(itemsOf(0)?.[0].json).toMatchObject({ event: 'instance.state', state: 'connected' });
		expect(JSON.stringify(harness.received[0].result)).not.toContain(token);
	});

	test('after delete, a delivery with the old secret is refused', async () => {
		await harness.activate('trigger');
		const authorization = await authorizationOf(storedLabel('trigger'));
		await harness.deactivate('trigger');

		const late = await harness.post(
			'trigger',
			{
				event: 'instance.state',
				data: { state: 'connected' },
				instanceData: { instance: MAIN_INSTANCE },
			},
			{ Authorization: authorization },
		);

		expect(late.status).toBe(401);
	});
});

describe('the join ledger (version 1.1)', () => {
	/** This test's trigger at `typeVersion`, listening, in place of the one beforeEach made. */
	async function triggerAt(typeVersion: number): Promise<void> {
		await harness.close();
		harness = await new TriggerHarness({
			workflowId: `wf${++workflowCount}Trigger`,
			credentials: credentials(),
			parameters: { events: EVENTS },
			typeVersion,
		}).start();
		await harness.activate('trigger');
	}

	/** Join Group 1.2, unpaced, on the main instance: its items, all outputs together. */
	const join = (...codes: string[]) => joinUnpaced(credentials(), ...codes);

	const ledgerRecord = (code: string) => ledgerRecordOf(credentials(), code);

	function triggerItems(): IDataObject[] {
		return harness.received.flatMap((reception) =>
			(reception.result?.workflowData?.[0] ?? []).map((item) => item.json),
		);
	}

	test('temp_banned pauses the instance in the ledger: a Join 1.2 afterwards defers, sending nothing', async () => {
		await triggerAt(1.1);
		const heardFrom = Date.now();
		expect(emulator.reportInstanceState(MAIN_INSTANCE, 'temp_banned')).toBe(1);
		await deliveriesDone();
		const heardBy = Date.now();
		expect(triggerItems()).toEqual([
			expect.objectContaining({ event: 'instance.state', state: 'temp_banned' }),
		]);

		const [item] = await join('OpenBanned');
		expect(emulator.joinRequests()).toEqual([]);
		expect(item).toMatchObject({
			status: 'deferred',
			error: {
				reason: 'instance_restricted',
				message: expect.stringContaining('temp_banned'),
			},
		});
		const until = Date.parse(item.notBefore as string);
		expect(until).toBeGreaterThanOrEqual(heardFrom + 24 * 3_600_000);
		expect(until).toBeLessThanOrEqual(heardBy + 24 * 3_600_000);
	});

	test('group.flow joined for a join pending in the ledger: the record is joined, the item carries its invite code', async () => {
		await triggerAt(1.1);
		expect(await join('ApprovalLedger')).toEqual([
			expect.objectContaining({ status: 'pending_approval', fromLedger: false }),
		]);
		const asked = await ledgerRecord('ApprovalLedger');
		expect(asked).toMatchObject({ status: 'pending_approval' });

		expect(emulator.approvePendingJoin(MAIN_INSTANCE, 'ApprovalLedger')).toBe(1);
		await deliveriesDone();

		expect(triggerItems()).toEqual([
			expect.objectContaining({
				event: 'group.flow',
				change: 'joined',
				groupJid: groupJidOf('ApprovalLedger'),
				inviteCode: 'ApprovalLedger',
				requestedAt: asked?.requestedAt,
			}),
		]);
		expect(await ledgerRecord('ApprovalLedger')).toMatchObject({
			status: 'joined',
			requestedAt: asked?.requestedAt,
		});
		expect(await join('ApprovalLedger')).toEqual([
			expect.objectContaining({ status: 'joined', fromLedger: true }),
		]);
		expect(emulator.joinRequests()).toHaveLength(1);
	});

	test('a group joined that no pending record names: the item as version 1 makes it', async () => {
		await triggerAt(1.1);
		await join('OpenNotPending');
		await deliveriesDone();
		expect(triggerItems()).toEqual([
			expect.objectContaining({ event: 'group.flow', change: 'joined' }),
		]);
		expect(triggerItems()[0]).not.toHaveProperty('inviteCode');
	});

	test('version 1 touches no ledger: temp_banned pauses nothing, an approval marks nothing', async () => {
		await triggerAt(1);
		// The event alone: the emulator's own temp_banned would also disconnect the instance.
		expect(emulator.emit(MAIN_INSTANCE, 'instance.state', { state: 'temp_banned' })).toBe(1);
		await join('ApprovalV1');
		expect(emulator.approvePendingJoin(MAIN_INSTANCE, 'ApprovalV1')).toBe(1);
		await deliveriesDone();

		const items = triggerItems();
		expect(items.map((item) => item.event)).toEqual(['instance.state', 'group.flow']);
		expect(items[1]).not.toHaveProperty('inviteCode');
		expect(await ledgerRecord('ApprovalV1')).toMatchObject({ status: 'pending_approval' });
		expect(await join('OpenAfterBan')).toEqual([
			expect.objectContaining({ status: 'joined', fromLedger: false }),
		]);
	});
});
