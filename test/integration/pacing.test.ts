/**
 * Pacing, retries and duplicates against the emulator: the runner directly (to observe attempts,
 * waits and logs) and the node in n8n's engine (duplicates, order, a stop while waiting).
 * Windows are scaled down to a second or two; no assertion is about elapsed time.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Connection } from '../../nodes/RyzeApi/shared/connection';
import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import type { RunnerSettings, Task } from '../../nodes/RyzeApi/runner/runOperation';
import { runOperation } from '../../nodes/RyzeApi/runner/runOperation';
import { INSTANCE_UNAVAILABLE_STREAK } from '../../nodes/RyzeApi/runner/startGate';
import type { TaskFeed } from '../../nodes/RyzeApi/runner/taskFeed';
import { useClock } from '../../nodes/RyzeApi/shared/clock';
import { ACCOUNT_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import { COMPETITOR_CODE, startCompetingClient } from '../support/emulator/competingClient';
import { runRyzeApiNode, shutDownEngine } from '../support/engine';
import { countPerWindow } from '../support/rateFigures';
import { fastClock } from '../support/fastClock';
import { feedOf, joinGroup } from '../support/operations';
import { useEmulator } from '../support/useEmulator';

const emulator = useEmulator({ rateLimit: false });
afterAll(shutDownEngine);
// A test that runs on a faster clock leaves the real one behind it.
afterEach(() => useClock());

function connection(token = ACCOUNT_TOKEN): Connection {
	return { origin: emulator.url, basePath: '', instance: MAIN_INSTANCE, token };
}

function tasks(codes: string[], token?: string): TaskFeed<Task> {
	return feedOf(codes.map((code) => ({ connection: connection(token), identifier: code })));
}

const fast: RunnerSettings = {
	concurrency: 5,
	timeoutMs: 2_000,
	retry: { maxTries: 4, baseDelayMs: 10, maxDelayMs: 50, maxRetryWaitMs: 10_000 },
	minIntervalMs: 0,
};

const codes = (count: number, prefix = 'Open') =>
	Array.from({ length: count }, (_, i) => `${prefix}${i}`);

/** Requests the emulator accepted per rate-limit window, from the first window to the last. */
function requestsPerWindow(windowMs: number): number[] {
	const accepted = emulator.joinRequests().filter((entry) => entry.status !== 429);
	return countPerWindow(accepted, windowMs).map((window) => window.requests);
}

describe('retries', () => {
	test.each([
		['serverError', 2],
		['badGatewayHtml', 2],
		['emptyBody', 3],
		['reset', 1],
		['malformedJson', 1],
		['truncatedJson', 2],
		['oversizedBody', 1],
	] as const)('%s ×%d then a good answer: recovered, one request per try', async (fault, times) => {
		emulator.queueFault(fault, times);
		const [result] = await runOperation(joinGroup, tasks(['OpenRetry']), fast);
		expect(result).toMatchObject({ attempts: times + 1, ok: true });
		expect(emulator.joinRequests()).toHaveLength(times + 1);
	});

	test('an answer that never comes is retried after the timeout', async () => {
		emulator.queueFault('hang');
		const [result] = await runOperation(joinGroup, tasks(['OpenSlow']), {
			...fast,
			timeoutMs: 300,
		});
		expect(result).toMatchObject({ attempts: 2, ok: true });
	});

	test.each(['rateLimited', 'rateLimitedBare', 'rateLimitedRetryAfter', 'throttled'] as const)(
		'a 429 (%s) waits, then retries and joins',
		async (fault) => {
			emulator.queueFault(fault);
			const [result] = await runOperation(joinGroup, tasks(['OpenLimited']), fast);
			expect(result).toMatchObject({ attempts: 2, ok: true });
		},
	);

	test.each([
		['RevokedCode', 'revoked_or_expired'],
		['ForbiddenCode', 'not_allowed'],
		['MissingCode', 'group_not_found'],
		['bad-code', 'invalid_code'],
	])('%s (4xx) is never retried', async (code, reason) => {
		const [result] = await runOperation(joinGroup, tasks([code]), fast);
		expect(result).toMatchObject({
			attempts: 1,
			ok: false,
			failure: { reason },
		});
		expect(emulator.joinRequests()).toHaveLength(1);
	});

	test('a redirect is never retried', async () => {
		emulator.queueFault('redirect', 3);
		const [result] = await runOperation(joinGroup, tasks(['OpenMoved']), fast);
		expect(result).toMatchObject({ attempts: 1 });
	});

	test('when the tries run out the join goes to Error with the last reason, and nothing more is sent', async () => {
		emulator.queueFault('serverError', 10);
		const [result] = await runOperation(joinGroup, tasks(['OpenDown']), {
			...fast,
			retry: { ...fast.retry, maxTries: 3 },
		});
		expect(result).toMatchObject({
			attempts: 3,
			ok: false,
			failure: { reason: 'server_error', httpStatus: 500 },
		});
		expect(emulator.joinRequests()).toHaveLength(3);
	});

	test('the total retry wait is bounded too', async () => {
		emulator.queueFault('rateLimitedBare', 10);
		// Each 429 waits at least 1 s; a bound of 1.5 s allows one retry only.
		const [result] = await runOperation(joinGroup, tasks(['OpenBounded']), {
			...fast,
			retry: { ...fast.retry, maxTries: 10, maxRetryWaitMs: 1_500 },
		});
		expect(result).toMatchObject({
			attempts: 2,
			ok: false,
			failure: { reason: 'rate_limited' },
		});
	});
});

describe('pacing from the rate-limit headers', () => {
	test('a run larger than the window finishes with no 429 and never more than the limit per window', async () => {
		emulator.configure({ rateLimit: { limit: 6, windowMs: 1_000 } });
		const results = await runOperation(joinGroup, tasks(codes(20)), { ...fast, concurrency: 4 });
		expect(results.every((result) => result.ok)).toBe(true);
		expect(emulator.joinRequests().filter((entry) => entry.status === 429)).toHaveLength(0);
		expect(Math.max(...requestsPerWindow(1_000))).toBeLessThanOrEqual(6);
	});

	test('the first request goes alone; the others wait for its headers', async () => {
		emulator.configure({ rateLimit: { limit: 50, windowMs: 60_000 }, latencyMs: 30 });
		await runOperation(joinGroup, tasks(codes(6)), { ...fast, concurrency: 6 });
		const [first, second] = emulator.joinRequests();
		// The emulator logs a request when it has read it; the second can only arrive after the first was answered.
		expect(second.at - first.at).toBeGreaterThanOrEqual(25);
	});

	test('a second client spending the same token: no item lost, and the budget is respected', async () => {
		emulator.configure({ rateLimit: { limit: 10, windowMs: 1_000 } });
		const competitor = startCompetingClient(emulator.url, { everyMs: 250 });
		const results = await runOperation(joinGroup, tasks(codes(24)), { ...fast, concurrency: 3 });
		await competitor.stop();
		expect(results.every((result) => result.ok)).toBe(true);
		const ours = emulator.joinRequests().filter((entry) => entry.identifier !== COMPETITOR_CODE);
		const our429s = ours.filter((entry) => entry.status === 429).length;
		// Racing another client can cost a rare 429 (retried); it must stay rare.
		expect(our429s).toBeLessThanOrEqual(2);
	});

	/** One join first, so that the spacing measured is not that of opening the connection. */
	async function warmConnection(): Promise<void> {
		await runOperation(joinGroup, tasks(['OpenWarm']), fast);
		emulator.log.length = 0;
	}

	test('Max Requests Per Minute spaces the starts', async () => {
		await warmConnection();
		await runOperation(joinGroup, tasks(codes(4)), { ...fast, minIntervalMs: 120 });
		const starts = emulator.joinRequests().map((entry) => entry.at);
		for (let i = 1; i < starts.length; i++)
			expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(100);
	});

	test('a random delay between joins spaces the starts within its bounds', async () => {
		await warmConnection();
		await runOperation(joinGroup, tasks(codes(4)), {
			...fast,
			humanDelayMs: { min: 100, max: 150 },
		});
		const starts = emulator.joinRequests().map((entry) => entry.at);
		for (let i = 1; i < starts.length; i++)
			expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(80);
	});

	test('a long wait is told through the log, with what is left', async () => {
		// A clock 20 times faster, the emulator on the same time: a 20 s window passes in 1 s.
		const clock = fastClock(20);
		emulator.configure({ now: clock.now, rateLimit: { limit: 2, windowMs: 20_000 } });
		useClock(clock);
		const messages: string[] = [];
		await runOperation(joinGroup, tasks(codes(5)), {
			...fast,
			concurrency: 1,
			log: (message) => messages.push(message),
		});
		expect(messages.length).toBeGreaterThan(0);
		expect(messages[0]).toMatch(
			/^Waiting \d+ s \(rate limit window used up\); \d+ of 5 joins left\.$/,
		);
		expect(messages.join(' ')).not.toContain(ACCOUNT_TOKEN);
	});
});

describe('an instance reported unavailable stops the calls to it', () => {
	test.each([
		['offline', 400, 'Instance disconnected'],
		['broken', 503, 'Instance not connected'],
	])(
		'instance %s (HTTP %d): three requests, then the rest are not sent',
		async (instance, httpStatus, apiMessage) => {
			const many = codes(12).map((code) => ({
				connection: { ...connection(), instance },
				identifier: code,
			}));
			const results = await runOperation(joinGroup, feedOf(many), fast);
			expect(emulator.joinRequests()).toHaveLength(INSTANCE_UNAVAILABLE_STREAK);
			expect(
				results.every((result) => !result.ok && result.failure.reason === 'instance_unavailable'),
			).toBe(true);
			const notSent = results.filter((result) => result.attempts === 0);
			expect(notSent.length).toBeGreaterThan(0);
			// Every one of them, the answered ones too, is marked as the instance's end.
			expect(results.every((result) => result.instanceGivenUp === true)).toBe(true);
			expect(notSent[0]).toEqual({
				ok: false,
				attempts: 0,
				instanceGivenUp: true,
				failure: {
					reason: 'instance_unavailable',
					httpStatus,
					message: `Not sent: instance "${instance}" was reported unavailable 3 times in a row (${apiMessage}).`,
				},
			});
		},
	);

	test('other instances of the same run go on', async () => {
		const mixed = codes(8).map((code, index) => ({
			connection: { ...connection(), instance: index % 2 ? 'offline' : MAIN_INSTANCE },
			identifier: code,
		}));
		const results = await runOperation(joinGroup, feedOf(mixed), fast);
		expect(results.filter((_result, index) => index % 2 === 0).every((result) => result.ok)).toBe(
			true,
		);
	});

	test('an answer from a working instance resets the count', async () => {
		emulator.queueFault('unavailable', 2);
		const results = await runOperation(joinGroup, tasks(codes(6)), {
			...fast,
			concurrency: 1,
			retry: { ...fast.retry, maxTries: 1 },
		});
		expect(results.filter((result) => result.ok)).toHaveLength(4);
		expect(emulator.joinRequests()).toHaveLength(6);
		// Two unavailable answers, then the instance answered: not given up, a per-item failure.
		expect(results.some((result) => result.instanceGivenUp)).toBe(false);
	});
});

describe('the node in the engine', () => {
	const parameters: INodeParameters = {
		resource: 'group',
		operation: 'join',
		identifier: '={{ $json.link }}',
		options: { retryWaitSeconds: 0.01 },
	};
	const credentials = () => ({
		baseUrl: emulator.url,
		instanceName: MAIN_INSTANCE,
		token: ACCOUNT_TOKEN,
	});

	test('the same code several times costs one request; each item gets the answer and its own pairedItem', async () => {
		const links = [
			'OpenSame',
			'https://chat.whatsapp.com/OpenSame',
			'OpenOther',
			' "OpenSame" ',
			'RevokedDup',
			'RevokedDup',
		];
		const result = await runRyzeApiNode({
			nodeType: new RyzeApi(),
			items: links.map((link) => ({ link })),
			parameters,
			credentials: credentials(),
		});
		expect(emulator.joinRequests().map((entry) => entry.identifier)).toEqual([
			'OpenSame',
			'OpenOther',
			'RevokedDup',
		]);
		const [success, failure] = result.outputs!;
		expect(success.map((item) => [item.pairedItem, item.json.inviteCode])).toEqual([
			[{ item: 0 }, 'OpenSame'],
			[{ item: 1 }, 'OpenSame'],
			[{ item: 2 }, 'OpenOther'],
			[{ item: 3 }, 'OpenSame'],
		]);
		expect(
			new Set(
				success
					.filter((item) => item.json.inviteCode === 'OpenSame')
					.map((item) => item.json.groupJid),
			).size,
		).toBe(1);
		expect(failure.map((item) => item.pairedItem)).toEqual([{ item: 4 }, { item: 5 }]);
	});

	test('with requests in flight, outputs still follow input order', async () => {
		emulator.configure({ latencyMs: 5 });
		const links = codes(40).map((code, index) => (index % 3 === 0 ? `Missing${index}` : code));
		const result = await runRyzeApiNode({
			nodeType: new RyzeApi(),
			items: links.map((link) => ({ link })),
			parameters: { ...parameters, options: { retryWaitSeconds: 0.01, concurrency: 8 } },
			credentials: credentials(),
		});
		const indexes = (items: INodeExecutionData[]) =>
			items.map((item) => (item.pairedItem as { item: number }).item);
		const [success, failure] = result.outputs!;
		expect(indexes(success)).toEqual([...indexes(success)].sort((a, b) => a - b));
		expect(indexes(failure)).toEqual([...indexes(failure)].sort((a, b) => a - b));
		expect(success.length + failure.length).toBe(40);
	});

	test('a stop while waiting for the rate-limit window ends the execution at once, as canceled', async () => {
		emulator.configure({ rateLimit: { limit: 1, windowMs: 60_000 } });
		const result = await runRyzeApiNode({
			nodeType: new RyzeApi(),
			items: [{ link: 'OpenFirst' }, { link: 'OpenSecond' }, { link: 'OpenThird' }],
			parameters,
			credentials: credentials(),
			onStart: (execution) => setTimeout(() => execution.cancel(), 300),
		});
		expect(result.status).toBe('canceled');
		expect(emulator.joinRequests().map((entry) => entry.identifier)).toEqual(['OpenFirst']);
	});

	test('items left after the tries run out go to Error with their reason; none is lost', async () => {
		emulator.configure({ faultRate: 1, faultKinds: ['serverError'] });
		const result = await runRyzeApiNode({
			nodeType: new RyzeApi(),
			items: codes(5).map((link) => ({ link })),
			parameters: { ...parameters, options: { retryWaitSeconds: 0.001, triesPerRequest: 2 } },
			credentials: credentials(),
		});
		const [success, failure] = result.outputs!;
		expect(success).toHaveLength(0);
		expect(failure.map((item) => (item.json.error as IDataObject).reason)).toEqual(
			Array(5).fill('server_error'),
		);
		expect(emulator.joinRequests()).toHaveLength(10);
	});
});
