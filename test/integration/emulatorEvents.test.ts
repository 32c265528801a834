/**
 * The emulator's events contract (shared/api/ryzeapi-events.md): the webhook registry behind
 * /api/events/*, admitted and rate-limited like the group routes, and the delivery of events to a
 * receiver on loopback — headers, paths, filters, bounded retries — for the events the emulator
 * causes (own join and leave, an approved join, a state change) and those a test emits.
 */
import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ACCOUNT_TOKEN, INSTANCE_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import { groupJidOf } from '../support/emulator/groups';
import { useEmulator } from '../support/useEmulator';

const NOW = Date.UTC(2026, 0, 15, 10, 0, 0);
const emulator = useEmulator({ now: () => NOW, delivery: { backoffMs: 5, timeoutMs: 2_000 } });

interface Received {
	path: string;
	authorization: string | undefined;
	body: { event: string; data: Record<string, unknown>; instanceData: Record<string, string> };
}

/** A webhook receiver on loopback: answers the queued statuses in turn ('hang': no answer), then 200. */
class Receiver {
	readonly received: Received[] = [];

	readonly answers: (number | 'hang')[] = [];

	private server: Server | undefined;

	async start(): Promise<this> {
		this.server = createServer((req, res) => this.receive(req, res));
		this.server.listen(0, '127.0.0.1');
		await once(this.server, 'listening');
		return this;
	}

	get url(): string {
		return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/hook`;
	}

	async close(): Promise<void> {
		const server = this.server;
		if (!server) return;
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	private receive(req: IncomingMessage, res: ServerResponse): void {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			this.received.push({
				path: req.url ?? '',
				authorization: req.headers.authorization,
				body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
			});
			const answer = this.answers.shift() ?? 200;
			if (answer !== 'hang') res.writeHead(answer).end();
		});
	}
}

let receiver: Receiver;
beforeEach(async () => {
	receiver = await new Receiver().start();
});
afterEach(async () => {
	await emulator.close(); // ends retries and requests in flight before the receiver goes
	await receiver.close();
});

interface Reply {
	status: number;
	body: Record<string, unknown>;
	headers: Headers;
}

async function call(
	method: string,
	path: string,
	body?: unknown,
	/** null: no token header at all. */
	token: string | null = ACCOUNT_TOKEN,
): Promise<Reply> {
	const response = await fetch(`${emulator.url}${path}`, {
		method,
		headers: {
			...(token === null ? {} : { token }),
			...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
		},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	return {
		status: response.status,
		body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
		headers: response.headers,
	};
}

const setWebhook = (body: unknown, instance = MAIN_INSTANCE, token?: string) =>
	call('POST', `/api/events/webhook/${instance}`, body, token);
const getWebhooks = (query = '', instance = MAIN_INSTANCE, token?: string) =>
	call('GET', `/api/events/getWebhook/${instance}${query}`, undefined, token);
const control = (route: string, instance: string, body: unknown) =>
	call('POST', `/_emulator/${route}/${instance}`, body, null);
const errorOf = (reply: Reply) => (reply.body.error as { message: string }).message;

describe('registering webhooks', () => {
	test('an upsert by label: absent label is default, fields take their defaults, the same call twice is one row', async () => {
		const first = await setWebhook({ url: 'https://example.test/wh' });
		const second = await setWebhook({ url: 'https://example.test/wh' });
		const expected = {
			label: 'default',
			enabled: true,
			url: 'https://example.test/wh',
			authorization: '',
			byEvents: false,
			events: [],
			mediaBase64: false,
		};
		expect(first).toMatchObject({ status: 200, body: { webhook: expected } });
		expect(second.body).toEqual(first.body);
		expect((await getWebhooks()).body).toEqual({ webhooks: [expected] });
	});

	test('an update overwrites every field: what the new body leaves out returns to its default', async () => {
		await setWebhook({
			label: 'a',
			url: 'https://example.test/one',
			authorization: 'Bearer x',
			byEvents: true,
			events: ['group.flow'],
			mediaBase64: true,
		});
		const updated = await setWebhook({ label: 'a', url: 'https://example.test/two' });
		expect(updated.body.webhook).toEqual({
			label: 'a',
			enabled: true,
			url: 'https://example.test/two',
			authorization: '',
			byEvents: false,
			events: [],
			mediaBase64: false,
		});
	});

	test('soft-disable clears url, authorization, events and mediaBase64, keeps the row, and frees a slot', async () => {
		for (const label of ['a', 'b', 'c'])
			await setWebhook({ label, url: `https://example.test/${label}`, authorization: 'Bearer s' });
		const disabled = await setWebhook({ label: 'b', enabled: false, byEvents: true });
		expect(disabled.body.webhook).toEqual({
			label: 'b',
			enabled: false,
			url: '',
			authorization: '',
			byEvents: true,
			events: [],
			mediaBase64: false,
		});
		expect((await setWebhook({ label: 'd', url: 'https://example.test/d' })).status).toBe(200);
		const labels = ((await getWebhooks()).body.webhooks as { label: string }[]).map((w) => w.label);
		expect(labels).toEqual(['a', 'b', 'c', 'd']);
	});

	test('a 4th enabled webhook is refused with 400 and the limit message; updating an enabled one is not', async () => {
		for (const label of ['x', 'y', 'z'])
			await setWebhook({ label, url: `https://example.test/${label}` });
		const fourth = await setWebhook({ label: 'w', url: 'https://example.test/w' });
		expect(fourth.status).toBe(400);
		expect(errorOf(fourth)).toBe('Webhook limit reached: at most 3 enabled webhooks per instance');
		expect((await setWebhook({ label: 'y', url: 'https://example.test/y2' })).status).toBe(200);
		expect((await setWebhook({ label: 'w', enabled: false })).status).toBe(200);
		expect(((await getWebhooks()).body.webhooks as unknown[]).length).toBe(4);
		// Another instance has its own three slots.
		expect((await setWebhook({ label: 'w', url: 'https://example.test/w' }, 'second')).status).toBe(
			200,
		);
	});

	test('the list is sorted by label, disabled rows included, [] when none; ?label= reads one or 404s', async () => {
		expect((await getWebhooks()).body).toEqual({ webhooks: [] });
		await setWebhook({ label: 'zeta', url: 'https://example.test/z', authorization: 'Bearer k' });
		await setWebhook({ label: 'alpha', enabled: false });
		await setWebhook({ url: 'https://example.test/d' });
		const labels = ((await getWebhooks()).body.webhooks as { label: string }[]).map((w) => w.label);
		expect(labels).toEqual(['alpha', 'default', 'zeta']);
		const zeta = await getWebhooks('?label=zeta');
		expect(zeta.body).toEqual({ webhook: expect.objectContaining({ authorization: 'Bearer k' }) });
		// An empty ?label= is still present: it reads "default".
		expect((await getWebhooks('?label=')).body.webhook).toMatchObject({ label: 'default' });
		const missing = await getWebhooks('?label=nope');
		expect(missing.status).toBe(404);
		expect(errorOf(missing)).toBe('Webhook not found');
	});

	test.each([
		['enabled without url', { enabled: true }],
		['a url that is not http(s)', { url: 'ftp://example.test' }],
		['an unknown event name', { url: 'https://example.test', events: ['group.flow', 'nope'] }],
		['events not an array', { url: 'https://example.test', events: 'group.flow' }],
		['a label that is not a string', { label: 7, url: 'https://example.test' }],
		['not an object', ['https://example.test']],
	])('%s: 400 Invalid request body, nothing stored', async (_name, body) => {
		const reply = await setWebhook(body);
		expect(reply.status).toBe(400);
		expect(errorOf(reply)).toBe('Invalid request body');
		expect((await getWebhooks()).body).toEqual({ webhooks: [] });
	});

	test('the token is checked as on the group routes: 401, 403, 404; any connection state will do', async () => {
		const body = { url: 'https://example.test' };
		const missing = await call('POST', `/api/events/webhook/${MAIN_INSTANCE}`, body, null);
		expect([missing.status, errorOf(missing)]).toEqual([401, 'Missing token in header']);
		const bad = await getWebhooks('', MAIN_INSTANCE, 'not-a-token');
		expect([bad.status, errorOf(bad)]).toEqual([401, 'Invalid token']);
		const foreign = await getWebhooks('', 'second', INSTANCE_TOKEN);
		expect(foreign.status).toBe(403);
		expect((await setWebhook(body, 'nowhere')).status).toBe(404);
		expect((await setWebhook(body, MAIN_INSTANCE, INSTANCE_TOKEN)).status).toBe(200);
		expect((await setWebhook(body, 'offline')).status).toBe(200);
		expect((await getWebhooks('', 'broken')).status).toBe(200);
		expect((await call('GET', `/api/events/webhook/${MAIN_INSTANCE}`)).status).toBe(404);
	});

	test('the group routes, the list included, answer an offline instance as documented, after the token checks', async () => {
		const routes = (instance: string) => [
			['GET', `/api/group/list/${instance}`],
			['POST', `/api/group/join/${instance}`],
			['GET', `/api/group/info/${instance}?identifier=OpenS`],
			['DELETE', `/api/group/leave/${instance}?identifier=OpenS`],
		];
		const answers = async (instance: string, token?: string) =>
			await Promise.all(
				routes(instance).map(async ([method, path]) => {
					const reply = await call(
						method,
						path,
						method === 'POST' ? { identifier: 'OpenS' } : undefined,
						token,
					);
					return [reply.status, errorOf(reply)];
				}),
			);
		expect(await answers('offline')).toEqual(Array(4).fill([400, 'Instance disconnected']));
		expect(await answers('broken')).toEqual(Array(4).fill([503, 'Instance not connected']));
		// The token and its scope come first: a wrong token is told so, whatever the phone does.
		expect(await answers('offline', 'not-a-token')).toEqual(Array(4).fill([401, 'Invalid token']));
		expect((await answers('broken', INSTANCE_TOKEN)).map(([status]) => status)).toEqual(
			Array(4).fill(403),
		);
	});

	test('the events routes spend the same per-token window as the group routes', async () => {
		emulator.configure({ rateLimit: { limit: 3, windowMs: 60_000 } });
		const join = await call('POST', `/api/group/join/${MAIN_INSTANCE}`, { identifier: 'OpenA' });
		const set = await setWebhook({ url: 'https://example.test' });
		const list = await getWebhooks();
		const over = await getWebhooks();
		const remaining = [join, set, list, over].map((r) => r.headers.get('x-ratelimit-remaining'));
		expect(remaining).toEqual(['2', '1', '0', '0']);
		expect([over.status, errorOf(over)]).toEqual([429, 'Rate limit exceeded. Try again later.']);
		expect(over.headers.get('x-ratelimit-reset')).toBe(list.headers.get('x-ratelimit-reset'));
		expect((await call('GET', `/api/group/list/${MAIN_INSTANCE}`)).status).toBe(429);
		// The control surface is not the API: it is not counted.
		expect((await control('events', MAIN_INSTANCE, { event: 'label.update' })).status).toBe(200);
	});
});

describe('delivering events', () => {
	async function emitted(event: string, data: unknown = { n: 1 }, instance = MAIN_INSTANCE) {
		const reply = await control('events', instance, { event, data });
		await emulator.deliveriesSettled();
		return reply;
	}

	test('the envelope as JSON, with the stored Authorization, the instance and its own token', async () => {
		await setWebhook({ url: receiver.url, authorization: 'Bearer svc-token-xyz' });
		const reply = await emitted('message.exchange', { id: 'm1' });
		expect(reply.body).toEqual({ success: true, deliveries: 1 });
		expect(receiver.received).toEqual([
			{
				path: '/hook',
				authorization: 'Bearer svc-token-xyz',
				body: {
					event: 'message.exchange',
					data: { id: 'm1' },
					instanceData: { baseUrl: emulator.url, instance: MAIN_INSTANCE, token: INSTANCE_TOKEN },
				},
			},
		]);
		expect(emulator.deliveries).toEqual([
			{
				instance: MAIN_INSTANCE,
				label: 'default',
				url: receiver.url,
				event: 'message.exchange',
				attempt: 1,
				status: 200,
				at: NOW,
			},
		]);
	});

	test('no Authorization header when none is stored; a made-up, recognisable token for an instance without its own', async () => {
		await setWebhook({ url: receiver.url }, 'second');
		await emitted('call.update', {}, 'second');
		expect(receiver.received).toHaveLength(1);
		expect(receiver.received[0].authorization).toBeUndefined();
		expect(receiver.received[0].body.instanceData.token).toBe('emulator-instance-token-of-second');
	});

	test('byEvents appends the event name to the path; a filter delivers only the named events', async () => {
		await setWebhook({ label: 'routed', url: `${receiver.url}/?k=1`, byEvents: true });
		await setWebhook({ label: 'groups', url: receiver.url, events: ['group.flow'] });
		await setWebhook({ label: 'off', enabled: false });
		await emitted('message.status');
		await emitted('group.flow');
		expect(receiver.received.map((r) => `${r.body.event} ${r.path}`).sort()).toEqual([
			'group.flow /hook',
			'group.flow /hook/group.flow?k=1',
			'message.status /hook/message.status?k=1',
		]);
	});

	test('a non-2xx answer is retried, try after try, until one succeeds', async () => {
		receiver.answers.push(503, 500);
		await setWebhook({ url: receiver.url });
		await emitted('label.update');
		expect(emulator.deliveries.map((d) => [d.attempt, d.status])).toEqual([
			[1, 503],
			[2, 500],
			[3, 200],
		]);
		expect(receiver.received).toHaveLength(3);
	});

	test('retries stop at the bound: a receiver that keeps failing gets exactly `attempts` tries', async () => {
		emulator.configure({ delivery: { attempts: 3, backoffMs: 1 } });
		receiver.answers.push(500, 500, 500, 500, 500);
		await setWebhook({ url: receiver.url });
		await emitted('message.exchange');
		expect(emulator.deliveries.map((d) => d.status)).toEqual([500, 500, 500]);
		expect(receiver.received).toHaveLength(3);
	});

	test('a network error and a timeout count as failed tries, with the reason logged', async () => {
		emulator.configure({ delivery: { attempts: 2, backoffMs: 1, timeoutMs: 100 } });
		receiver.answers.push('hang');
		await setWebhook({ label: 'slow', url: receiver.url });
		await setWebhook({ label: 'gone', url: 'http://127.0.0.1:9/nothing' });
		await emitted('message.exchange');
		const slow = emulator.deliveries.filter((d) => d.label === 'slow');
		const gone = emulator.deliveries.filter((d) => d.label === 'gone');
		expect(slow.map((d) => d.error ?? d.status)).toEqual(['timeout after 100 ms', 200]);
		expect(gone).toHaveLength(2);
		expect(gone.every((d) => d.status === undefined && typeof d.error === 'string')).toBe(true);
	});

	test('reset() stops pending retries and forgets webhooks and deliveries', async () => {
		emulator.configure({ delivery: { attempts: 4, backoffMs: 60_000 } });
		receiver.answers.push(500);
		await setWebhook({ url: receiver.url });
		await control('events', MAIN_INSTANCE, { event: 'message.exchange', data: {} });
		while (emulator.deliveries.length === 0) await new Promise((resolve) => setImmediate(resolve));
		emulator.reset();
		await emulator.deliveriesSettled(); // would wait a minute if the retry were still pending
		expect(emulator.deliveries).toEqual([]);
		expect(receiver.received).toHaveLength(1);
		expect((await getWebhooks()).body).toEqual({ webhooks: [] });
	});
});

describe('events the emulator causes', () => {
	const groupFlows = () =>
		receiver.received.filter((r) => r.body.event === 'group.flow').map((r) => r.body.data);

	beforeEach(async () => {
		await setWebhook({ url: receiver.url });
	});

	test('its own join of an open group emits group.flow joined once; its leave emits left', async () => {
		await call('POST', `/api/group/join/${MAIN_INSTANCE}`, { identifier: 'OpenFlow' });
		await call('POST', `/api/group/join/${MAIN_INSTANCE}`, { identifier: 'OpenFlow' });
		await call('DELETE', `/api/group/leave/${MAIN_INSTANCE}?identifier=OpenFlow`);
		await emulator.deliveriesSettled();
		const participant = { jid: expect.stringMatching(/@s\.whatsapp\.net$/), name: MAIN_INSTANCE };
		const common = {
			groupJid: groupJidOf('OpenFlow'),
			groupName: 'Group OpenFlow',
			timestamp: new Date(NOW).toISOString(),
			participants: [participant],
		};
		expect(groupFlows()).toEqual([
			{ type: 'joined', ...common },
			{ type: 'left', ...common },
		]);
	});

	test('a join into an approval group waits; approving it joins, emits group.flow joined with the instance token', async () => {
		const asked = await call('POST', `/api/group/join/${MAIN_INSTANCE}`, {
			identifier: 'ApprovalFlow',
		});
		expect(asked.body.requiresApproval).toBe(true);
		await emulator.deliveriesSettled();
		expect(groupFlows()).toEqual([]);

		const approved = await control('approve', MAIN_INSTANCE, {
			identifier: 'https://chat.whatsapp.com/ApprovalFlow',
		});
		expect(approved.body).toEqual({ success: true, deliveries: 1 });
		await emulator.deliveriesSettled();
		expect(groupFlows()).toEqual([
			expect.objectContaining({ type: 'joined', groupJid: groupJidOf('ApprovalFlow') }),
		]);
		expect(receiver.received[0].body.instanceData.token).toBe(INSTANCE_TOKEN);
		const list = await call('GET', `/api/group/list/${MAIN_INSTANCE}`);
		// Each group shaped as /info shapes it (the list's own shape is not published).
		expect(list.body.groups).toEqual([
			expect.objectContaining({ jid: groupJidOf('ApprovalFlow'), name: 'Group ApprovalFlow' }),
		]);
		const info = await call('GET', `/api/group/info/${MAIN_INSTANCE}?identifier=ApprovalFlow`);
		expect((info.body.group as { participantCount: number }).participantCount).toBe(6);
		// Approved once: there is no pending request left.
		expect((await control('approve', MAIN_INSTANCE, { identifier: 'ApprovalFlow' })).status).toBe(
			404,
		);
	});

	test('approving a request nobody made answers 404 and emits nothing', async () => {
		const reply = await control('approve', MAIN_INSTANCE, { identifier: 'ApprovalNever' });
		expect([reply.status, errorOf(reply)]).toEqual([404, 'Pending join request not found']);
		expect(emulator.approvePendingJoin('second', 'ApprovalNever')).toBeUndefined();
		await emulator.deliveriesSettled();
		expect(receiver.received).toEqual([]);
	});

	test('an instance-state change emits instance.state and maps the connection state', async () => {
		const join = () => call('POST', `/api/group/join/${MAIN_INSTANCE}`, { identifier: 'OpenS' });
		await control('instance-state', MAIN_INSTANCE, { state: 'temp_banned' });
		expect(errorOf(await join())).toBe('Instance disconnected');
		await control('instance-state', MAIN_INSTANCE, { state: 'qr_ready' });
		expect((await join()).status).toBe(400);
		emulator.reportInstanceState(MAIN_INSTANCE, 'connected');
		expect((await join()).status).toBe(200);
		await emulator.deliveriesSettled();
		const states = receiver.received.filter((r) => r.body.event === 'instance.state');
		expect(states.map((r) => r.body.data)).toEqual(
			['temp_banned', 'qr_ready', 'connected'].map((state) => ({
				state,
				timestamp: new Date(NOW).toISOString(),
			})),
		);
	});

	test('control routes: unknown instance 404, a body without its field 400, other paths 404', async () => {
		expect((await control('events', 'nowhere', { event: 'x' })).status).toBe(404);
		expect((await control('instance-state', MAIN_INSTANCE, {})).status).toBe(400);
		expect((await control('events', MAIN_INSTANCE, { data: {} })).status).toBe(400);
		expect((await control('unknown', MAIN_INSTANCE, {})).status).toBe(404);
	});
});
