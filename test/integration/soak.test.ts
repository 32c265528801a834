/**
 * Soak: thousands of joins while about one answer in ten is a fault of some kind. Timers are
 * scaled down (backoff, the least wait after a 429, the slow body) so it runs in seconds.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import type { RunnerSettings } from '../../nodes/RyzeApi/runner/runOperation';
import { runOperation } from '../../nodes/RyzeApi/runner/runOperation';
import { useClock } from '../../nodes/RyzeApi/shared/clock';
import type { FaultKind } from '../support/emulator/server';
import { ACCOUNT_TOKEN, FAULT_KINDS, MAIN_INSTANCE } from '../support/emulator/server';
import { runRyzeApiNode, shutDownEngine } from '../support/engine';
import { fastClock } from '../support/fastClock';
import { feedOf, joinGroup } from '../support/operations';
import { useEmulator } from '../support/useEmulator';

// Waits 200 times shorter (a 429's least wait of 1 s takes 5 ms), the emulator on the same time.
const clock = fastClock(200);
// Headers on every answer, with a limit no soak reaches: the faults are what is being soaked.
const emulator = useEmulator({
	now: clock.now,
	rateLimit: { limit: 1_000_000_000, windowMs: 60_000 },
	slowBodyByteMs: 5,
	seed: 42,
});
afterAll(shutDownEngine);
// Only the runner's soak runs on the fast clock; the node in the engine on the real one.
afterEach(() => useClock());

// Every fault the emulator has but the 429s announcing a real one-second reset (which the limiter
// rightly honours for all; tested in integration/pacing.test.ts) and redirects (a wrong base URL, not a passing fault).
const TRANSIENT: FaultKind[] = FAULT_KINDS.filter(
	(kind) => !['rateLimited', 'rateLimitedRetryAfter', 'redirect'].includes(kind),
);

/** Every request the emulator got for each code, in order. */
function requestsByCode(): Map<string, Array<{ status?: number; fault?: FaultKind }>> {
	const byCode = new Map<string, Array<{ status?: number; fault?: FaultKind }>>();
	for (const entry of emulator.joinRequests()) {
		const code = String(entry.identifier);
		byCode.set(code, [...(byCode.get(code) ?? []), { status: entry.status, fault: entry.fault }]);
	}
	return byCode;
}

test('3,000 joins with 10% faults of every kind: all recovered within the tries, none lost, no 4xx retried', async () => {
	emulator.configure({ faultRate: 0.1, faultKinds: [...TRANSIENT, 'redirect'] });
	const settings: RunnerSettings = {
		concurrency: 16,
		// Long enough that a loaded CI machine does not time out requests that were answered.
		timeoutMs: 1_000,
		retry: { maxTries: 10, baseDelayMs: 400, maxDelayMs: 4_000, maxRetryWaitMs: 2_000_000 },
		minIntervalMs: 0,
	};
	const codes = Array.from({ length: 3_000 }, (_, i) => `OpenSoak${i}`);
	useClock(clock);
	const results = await runOperation(
		joinGroup,
		feedOf(
			codes.map((code) => ({
				connection: {
					origin: emulator.url,
					basePath: '',
					instance: MAIN_INSTANCE,
					token: ACCOUNT_TOKEN,
				},
				identifier: code,
			})),
		),
		settings,
	);

	expect(results).toHaveLength(codes.length);
	const byCode = requestsByCode();
	let redirected = 0;
	for (const [index, result] of results.entries()) {
		const requests = byCode.get(codes[index]) ?? [];
		expect(result.attempts).toBeGreaterThan(0);
		// A request the client gave up on before the emulator read it is not in the log.
		expect(result.attempts).toBeGreaterThanOrEqual(requests.length);
		if (requests[requests.length - 1].fault === 'redirect') {
			// A redirect is a wrong base URL, not a passing fault: never retried.
			redirected++;
			expect(result).toMatchObject({
				ok: false,
				failure: { reason: 'server_error', httpStatus: 302 },
			});
		} else {
			expect(result.ok).toBe(true);
		}
		// Only the last request of a join may be a 4xx other than 429 (one the client received).
		for (const request of requests.slice(0, -1)) {
			const status = request.status ?? 0;
			expect(status >= 400 && status < 500 && status !== 429 && request.fault !== 'slowBody').toBe(
				false,
			);
		}
	}
	const faults = emulator.joinRequests().filter((entry) => entry.fault !== undefined);
	const kinds = new Set(faults.map((entry) => entry.fault));
	// Sanity of the soak itself: about one in ten answers was a fault, of every kind.
	expect(faults.length / emulator.joinRequests().length).toBeGreaterThan(0.07);
	expect(kinds.size).toBe(TRANSIENT.length + 1);
	expect(redirected).toBeGreaterThan(0);
});

test("2,000 items through the node in n8n's engine with 10% faults: every item once, on the right output, with its pairedItem", async () => {
	// Real timers here: the node's own options, no 429 (its least wait is a real second).
	emulator.configure({
		faultRate: 0.1,
		faultKinds: TRANSIENT.filter((kind) => !kind.startsWith('rateLimited') && kind !== 'throttled'),
	});
	const rows = Array.from({ length: 2_000 }, (_, i) => ({
		row: i,
		link: i % 10 === 9 ? `https://chat.whatsapp.com/RevokedSoak${i}` : `OpenSoak${i}`,
	}));
	const result = await runRyzeApiNode({
		nodeType: new RyzeApi(),
		items: rows,
		parameters: {
			resource: 'group',
			operation: 'join',
			identifier: '={{ $json.link }}',
			options: { retryWaitSeconds: 0.002, triesPerRequest: 10, timeoutSeconds: 1 },
		},
		credentials: { baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: ACCOUNT_TOKEN },
	});

	expect(result.error).toBeUndefined();
	const [success, failure] = result.outputs!;
	const seen = [...success, ...failure]
		.map((item) => (item.pairedItem as { item: number }).item)
		.sort((a, b) => a - b);
	expect(seen).toEqual(rows.map((row) => row.row));
	for (const item of [...success, ...failure])
		expect(item.json.row).toBe((item.pairedItem as { item: number }).item);
	expect(
		success.every(
			(item) => String(item.json.link).startsWith('Open') && item.json.status === 'joined',
		),
	).toBe(true);
	expect(failure.map((item) => (item.json.error as IDataObject).reason)).toEqual(
		Array(200).fill('revoked_or_expired'),
	);
	// A revoked link is a 4xx: once its answer has arrived, it is never asked again. (A 400 sent as
	// a slow body may not arrive within the timeout; the client then saw a timeout, not the 400.)
	for (const [code, requests] of requestsByCode()) {
		if (!code.startsWith('Revoked')) continue;
		const received = requests.findIndex(
			(request) => request.status === 400 && request.fault !== 'slowBody',
		);
		expect(received === -1 || received === requests.length - 1).toBe(true);
		expect(requests[requests.length - 1].status).toBe(400);
	}
});

test('memory stays flat across rounds of faulted joins', () => {
	// A child with --expose-gc, so each round's figure is the heap after a full collection.
	const output = execFileSync(
		process.execPath,
		[
			'--expose-gc',
			'--import',
			'tsx',
			join(__dirname, '..', 'support', 'memoryRounds.ts'),
			'5',
			'1500',
		],
		{
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'inherit'],
			timeout: 120_000,
		},
	);
	const heaps = JSON.parse(output.trim().split('\n').pop() as string) as number[];
	expect(heaps).toHaveLength(5);
	// Round 1 warms caches and compiles code; later rounds must not keep growing.
	const settled = heaps[1];
	for (const heap of heaps.slice(2)) expect(heap / settled).toBeLessThan(1.25);
});
