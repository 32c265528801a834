/**
 * The HTTP transport and the answer classification against the emulator: every documented
 * answer, the faults something in front of the API can produce, and what is (not) sent.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';

import { classifyAnswer } from '../../nodes/RyzeApi/shared/classifyAnswer';
import type { Connection } from '../../nodes/RyzeApi/shared/connection';
import type { JoinSuccess } from '../../nodes/RyzeApi/shared/groupAnswers';
import { JOIN_ANSWER } from '../../nodes/RyzeApi/shared/groupAnswers';
import type { Outcome, RawAnswer } from '../../nodes/RyzeApi/shared/interfaces';
import { bodyLimitOf, sendRequest, RequestCancelledError } from '../../nodes/RyzeApi/transport';
import { ACCOUNT_TOKEN, INSTANCE_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import { joinGroup } from '../support/operations';
import { useEmulator } from '../support/useEmulator';

const emulator = useEmulator({ slowBodyByteMs: 40 });

async function postJoin(
	target: Connection,
	code: string,
	limits: Parameters<typeof sendRequest>[2],
): Promise<RawAnswer> {
	return await sendRequest(target, joinGroup.request(code), limits);
}

/** A join's answer, read as the runner reads it, with the body limit of the join's request. */
function classifyJoin(answer: RawAnswer): Outcome<JoinSuccess> {
	return classifyAnswer(answer, bodyLimitOf(joinGroup.request('x')), JOIN_ANSWER).outcome;
}

function connection(overrides: Partial<Connection> = {}): Connection {
	const url = new URL(emulator.url);
	return {
		origin: url.origin,
		basePath: '',
		instance: MAIN_INSTANCE,
		token: ACCOUNT_TOKEN,
		...overrides,
	};
}

async function join(
	code: string,
	overrides: Partial<Connection> = {},
	timeoutMs = 5_000,
): Promise<Outcome<JoinSuccess>> {
	const answer = await postJoin(connection(overrides), code, { timeoutMs });
	return classifyJoin(answer);
}

describe('documented answers', () => {
	test('an open group is joined', async () => {
		const outcome = await join('OpenGroup1');
		expect(outcome).toEqual({
			ok: true,
			value: {
				status: 'joined',
				groupJid: expect.stringMatching(/^\d+@g\.us$/),
				requiresApproval: false,
				message: 'Successfully joined the group',
			},
		});
	});

	test('a group that needs approval is pending', async () => {
		const outcome = await join('ApprovalGroup1');
		expect(outcome.ok && outcome.value.status).toBe('pending_approval');
		expect(outcome.ok && outcome.value.requiresApproval).toBe(true);
	});

	test.each([
		['RevokedCode', {}, 'revoked_or_expired', 400, 'Invite link has been revoked or expired'],
		['ForbiddenCode', {}, 'not_allowed', 403, 'Not allowed to join this group'],
		['UnknownCode', {}, 'group_not_found', 404, 'Group not found'],
		['not-a-code', {}, 'invalid_code', 400, 'Invalid invite link or code'],
		['OpenX', { token: 'wrong-token' }, 'unauthorized', 401, 'Invalid token'],
		[
			'OpenX',
			{ token: INSTANCE_TOKEN, instance: 'second' },
			'unauthorized',
			403,
			'Token does not have access to this instance',
		],
		['OpenX', { instance: 'no-such-instance' }, 'instance_unavailable', 404, 'Instance not found'],
		['OpenX', { instance: 'offline' }, 'instance_unavailable', 400, 'Instance disconnected'],
		['OpenX', { instance: 'broken' }, 'instance_unavailable', 503, 'Instance not connected'],
	] as const)('%s with %j → %s (HTTP %d)', async (code, overrides, reason, httpStatus, message) => {
		expect(await join(code, overrides)).toEqual({
			ok: false,
			failure: { reason, httpStatus, message },
		});
	});

	test('the request carries the token header and the code as JSON, nothing else of the credential', async () => {
		await join('OpenGroup2');
		const [request] = emulator.joinRequests();
		expect(request.token).toBe(ACCOUNT_TOKEN);
		expect(request.identifier).toBe('OpenGroup2');
		expect(request.path).toBe('/api/group/join/main');
		expect(request.path).not.toContain(ACCOUNT_TOKEN);
	});

	test('over the rate limit the API answers 429 with its headers, classified rate_limited', async () => {
		emulator.configure({ rateLimit: { limit: 2, windowMs: 60_000 } });
		const answers = [];
		for (let i = 0; i < 3; i++)
			answers.push(await postJoin(connection(), `Open${i}`, { timeoutMs: 5_000 }));
		const last = answers[2];
		expect(last.kind === 'http' && last.status).toBe(429);
		expect(last.kind === 'http' && last.headers['x-ratelimit-remaining']).toBe('0');
		expect(last.kind === 'http' && Number(last.headers['x-ratelimit-reset'])).toBeGreaterThan(
			Date.now() / 1000,
		);
		expect(classifyJoin(last)).toEqual({
			ok: false,
			failure: {
				reason: 'rate_limited',
				httpStatus: 429,
				message: 'Rate limit exceeded. Try again later.',
			},
		});
	});
});

describe('faults from the API or from what stands in front of it', () => {
	test.each([
		['serverError', 'server_error', 500],
		['badGatewayHtml', 'server_error', 502],
		['unavailable', 'instance_unavailable', 503],
		['emptyBody', 'server_error', 500],
		['malformedJson', 'server_error', 200],
		['truncatedJson', 'server_error', 200],
		['oversizedBody', 'server_error', 200],
		['rateLimitedBare', 'rate_limited', 429],
		['throttled', 'rate_limited', 429],
		['redirect', 'server_error', 302],
	] as const)('%s → %s (HTTP %d)', async (fault, reason, httpStatus) => {
		emulator.queueFault(fault);
		const outcome = await join('OpenGroup3');
		expect(outcome.ok).toBe(false);
		if (outcome.ok) return;
		expect(outcome.failure.reason).toBe(reason);
		expect(outcome.failure.httpStatus).toBe(httpStatus);
		expect(outcome.failure.message.length).toBeGreaterThan(10);
	});

	test('a redirect is not followed, so the token goes nowhere else', async () => {
		emulator.queueFault('redirect');
		const outcome = await join('OpenGroup4');
		expect(outcome.ok || outcome.failure.message).toMatch(/not followed.*Check the Base URL/);
		expect(emulator.log).toHaveLength(1);
	});

	test('an oversized body is cut at the cap and reported, not read whole', async () => {
		emulator.queueFault('oversizedBody');
		const answer = await postJoin(connection(), 'OpenGroup5', { timeoutMs: 5_000 });
		expect(answer).toMatchObject({ kind: 'http', status: 200, bodyTooLarge: true, body: '' });
	});

	test('a reset connection is a network_error without an HTTP status', async () => {
		emulator.queueFault('reset');
		const outcome = await join('OpenGroup6');
		expect(outcome).toEqual({
			ok: false,
			failure: {
				reason: 'network_error',
				httpStatus: null,
				message: expect.stringMatching(/Could not reach RyzeAPI/),
			},
		});
	});

	test('an answer that never comes is a timeout', async () => {
		emulator.queueFault('hang');
		const outcome = await join('OpenGroup7', {}, 300);
		expect(outcome).toEqual({
			ok: false,
			failure: { reason: 'timeout', httpStatus: null, message: expect.stringMatching(/300 ms/) },
		});
	});

	test('a body that trickles in past the deadline is a timeout', async () => {
		emulator.queueFault('slowBody');
		const outcome = await join('OpenGroup8', {}, 400);
		expect(outcome.ok || outcome.failure.reason).toBe('timeout');
	});

	test('a port where nothing listens is a network_error', async () => {
		const port = await freePort();
		const answer = await postJoin(
			{ ...connection(), origin: `http://127.0.0.1:${port}` },
			'OpenGroup9',
			{ timeoutMs: 2_000 },
		);
		expect(classifyJoin(answer)).toEqual({
			ok: false,
			failure: {
				reason: 'network_error',
				httpStatus: null,
				message: expect.stringMatching(/ECONNREFUSED/),
			},
		});
	});
});

describe('user input in the URL', () => {
	test.each(['..', '.', 'a/b', 'name?x=1', 'name#frag', 'with space', '%2E%2E', 'ümlaut'])(
		'instance name %j reaches the API as one path segment',
		async (instance) => {
			emulator.configure({ instances: { [instance]: 'connected' } });
			const outcome = await join('OpenGroup10', { instance });
			expect(outcome.ok).toBe(true);
			const [request] = emulator.joinRequests();
			expect(request.instance).toBe(instance);
			expect(request.path.split('/')).toHaveLength(5);
		},
	);

	test('a base path of a proxied deployment is kept', async () => {
		const answer = await postJoin(connection({ basePath: '/proxy' }), 'OpenGroup11', {
			timeoutMs: 5_000,
		});
		expect(answer.kind === 'http' && answer.status).toBe(404);
		expect(emulator.log[0].path).toBe('/proxy/api/group/join/main');
	});
});

describe('cancelling', () => {
	test('an execution cancelled mid-request rejects at once and the request is abandoned', async () => {
		emulator.queueFault('hang');
		const controller = new AbortController();
		// The deadline is far past jest's timeout: only the cancel can end this request. A deadline
		// would resolve as a timeout answer; a cancel rejects with the execution's reason.
		const pending = postJoin(connection(), 'OpenGroup12', {
			timeoutMs: 120_000,
			cancelSignal: controller.signal,
		});
		setTimeout(() => controller.abort(), 100);
		await expect(pending).rejects.toThrow(RequestCancelledError);
		// What n8n's engine looks for to mark the execution canceled rather than failed.
		await expect(pending).rejects.toMatchObject({
			message: expect.stringContaining('canceled'),
			name: expect.stringContaining('Cancelled'),
		});
	});

	test('an already cancelled execution sends nothing', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(
			postJoin(connection(), 'OpenGroup13', {
				timeoutMs: 1_000,
				cancelSignal: controller.signal,
			}),
		).rejects.toThrow(RequestCancelledError);
		expect(emulator.log).toHaveLength(0);
	});
});

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

describe('TLS', () => {
	test('certificate verification stays on: a self-signed server gets no request and no token', async () => {
		// A throwaway certificate made for this test only; nothing secret is committed.
		const dir = mkdtempSync(joinPath(tmpdir(), 'ryzeapi-tls-'));
		execFileSync(
			'openssl',
			[
				'req',
				'-x509',
				'-newkey',
				'rsa:2048',
				'-nodes',
				'-days',
				'1',
				'-subj',
				'/CN=127.0.0.1',
				'-keyout',
				joinPath(dir, 'key.pem'),
				'-out',
				joinPath(dir, 'cert.pem'),
			],
			{
				stdio: 'ignore',
			},
		);
		let requests = 0;
		const server = createHttpsServer(
			{
				key: readFileSync(joinPath(dir, 'key.pem')),
				cert: readFileSync(joinPath(dir, 'cert.pem')),
			},
			(_req, res) => {
				requests++;
				res.end('{"success":true,"groupJid":"1@g.us"}');
			},
		);
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const { port } = server.address() as { port: number };
			const answer = await postJoin(
				{ ...connection(), origin: `https://127.0.0.1:${port}` },
				'OpenTls',
				{ timeoutMs: 5_000 },
			);
			expect(classifyJoin(answer)).toEqual({
				ok: false,
				failure: {
					reason: 'network_error',
					httpStatus: null,
					message: expect.stringMatching(/CERT|certificate/i),
				},
			});
			expect(requests).toBe(0);
		} finally {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
