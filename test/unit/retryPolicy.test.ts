/**
 * runner/retryPolicy.ts: the retry decision (which answers are tried again, after how long, the
 * full-jitter backoff, the task's wait budget and the gate's veto), on a fake clock (plain
 * numbers) and a deterministic random.
 */
import fc from 'fast-check';

import type { Transient } from '../../nodes/RyzeApi/shared/classifyAnswer';
import type { RawAnswer } from '../../nodes/RyzeApi/shared/interfaces';
import {
	MIN_RATE_LIMIT_WAIT_MS,
	RESET_MARGIN_MS,
} from '../../nodes/RyzeApi/shared/rateLimitHeaders';
import type { RetryPolicy, TaskSoFar } from '../../nodes/RyzeApi/runner/retryPolicy';
import { retryDecision } from '../../nodes/RyzeApi/runner/retryPolicy';
import {
	check,
	half,
	http,
	JID,
	JOINED,
	NOW,
	NOW_S,
	POLICY,
	rateHeaders,
	transientOf,
} from '../support/fakeAnswers';

/** A random() that returns the given values in turn, then repeats the last one. */
function sequence(...values: number[]): () => number {
	let i = 0;
	return () => values[Math.min(i++, values.length - 1)];
}

/** A task that made `tries` tries, has not waited yet, and that the gate still lets go. */
function after(tries: number, soFar: Partial<TaskSoFar> = {}): TaskSoFar {
	return { tries, waitedMs: 0, stopped: false, ...soFar };
}

/** A server failing (5xx): its wait is the backoff alone. */
const FAILING: Transient = { kind: 'failing', status: 500 };

/**
 * The full-jitter backoff after `tries` tries, as retryDecision waits it for a failing server
 * (tries and the wait budget unbounded, so only the backoff decides).
 */
function fullJitterBackoff(
	tries: number,
	policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
	random: () => number,
): number {
	const unbounded = { ...policy, maxTries: Infinity, maxRetryWaitMs: Infinity };
	const decision = retryDecision(FAILING, after(tries), unbounded, NOW, random);
	if (!decision.retry) throw new Error('a failing server is tried again');
	return decision.waitMs;
}

describe('the backoff (full jitter)', () => {
	const policy = { baseDelayMs: 1_000, maxDelayMs: 60_000 };
	const ceilings = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000];

	it.each(ceilings.map((ceiling, i) => [i + 1, ceiling]))(
		'stays in [0, %i-th ceiling %i]',
		(tries, ceiling) => {
			expect(fullJitterBackoff(tries, policy, () => 0)).toBe(0);
			expect(fullJitterBackoff(tries, policy, half)).toBe(ceiling / 2);
			const high = fullJitterBackoff(tries, policy, () => 1 - Number.EPSILON);
			expect(high).toBeLessThanOrEqual(ceiling);
			expect(high).toBeGreaterThanOrEqual(ceiling - 1);
			for (const r of [0.1, 0.25, 0.75, 0.999]) {
				const wait = fullJitterBackoff(tries, policy, () => r);
				expect(wait).toBeGreaterThanOrEqual(0);
				expect(wait).toBeLessThanOrEqual(ceiling);
			}
		},
	);

	it('grows as random approaches 1', () => {
		const waits = [0, 0.5, 0.9, 0.99, 0.999999].map((r) => fullJitterBackoff(3, policy, () => r));
		expect(waits).toEqual([...waits].sort((a, b) => a - b));
		expect(waits[waits.length - 1]).toBeGreaterThan(3_990);
	});

	it('treats 0 tries like the first', () => {
		expect(fullJitterBackoff(0, policy, half)).toBe(500);
	});

	it('caps at maxDelayMs however many tries', () => {
		expect(fullJitterBackoff(1_000, policy, half)).toBe(30_000);
	});

	it('is 0 with a base of 0', () => {
		expect(fullJitterBackoff(5, { baseDelayMs: 0, maxDelayMs: 60_000 }, () => 0.99)).toBe(0);
	});

	it('property: a whole number in [0, min(cap, base·2^(tries−1))]', () => {
		fc.assert(
			fc.property(
				fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
				fc.integer({ min: 1, max: 64 }),
				fc.integer({ min: 0, max: 10_000 }),
				fc.integer({ min: 0, max: 600_000 }),
				(r, tries, baseDelayMs, maxDelayMs) => {
					const wait = fullJitterBackoff(tries, { baseDelayMs, maxDelayMs }, () => r);
					expect(Number.isInteger(wait)).toBe(true);
					expect(wait).toBeGreaterThanOrEqual(0);
					expect(wait).toBeLessThanOrEqual(Math.min(maxDelayMs, baseDelayMs * 2 ** (tries - 1)));
				},
			),
			{ numRuns: 500 },
		);
	});
});

describe('retryDecision', () => {
	test('an operation that is not idempotent is tried again only after a 429', () => {
		const policy = { ...POLICY, idempotent: false };
		const decide = (answer: RawAnswer) =>
			retryDecision(transientOf(answer), after(1), policy, NOW, half);
		expect(decide(http(500, '{}'))).toEqual({ retry: false });
		expect(decide({ kind: 'noAnswer', failure: 'timeout', detail: 'x' })).toEqual({ retry: false });
		expect(decide(http(200, ''))).toEqual({ retry: false });
		expect(decide(http(429, '{}', rateHeaders(100, 0, NOW_S + 5)))).toMatchObject({
			retry: true,
			pausesToken: true,
		});
	});

	const decide = (answer: RawAnswer, tries = 1, nowMs = NOW, random: () => number = half) =>
		retryDecision(transientOf(answer), after(tries), POLICY, nowMs, random);

	describe('2xx', () => {
		it.each([
			['200 joined', http(200, JOINED)],
			[
				'200 pending approval',
				http(
					200,
					JSON.stringify({
						success: true,
						message: 'Waiting',
						groupJid: JID,
						requiresApproval: true,
					}),
				),
			],
			['201 joined', http(201, JOINED)],
			['202 joined', http(202, JOINED)],
			[
				'200 success: false envelope',
				http(200, JSON.stringify({ success: false, error: { message: 'x' } })),
			],
			['200 joined with rate headers', http(200, JOINED, rateHeaders(100, 0, NOW_S + 30))],
		])('does not retry a well-formed %s', (_label, answer) => {
			expect(decide(answer)).toEqual({ retry: false });
		});

		it.each([
			['truncated JSON', http(200, JOINED.slice(0, 20))],
			['malformed JSON', http(200, '{"success":tr')],
			['an empty body', http(200, '')],
			['an HTML page', http(200, '<html><body>OK</body></html>')],
			['null', http(200, 'null')],
			['an array', http(200, '[]')],
			['a non-boolean success', http(200, '{"success":"yes"}')],
			['an oversized body', http(200, JOINED, {}, true)],
			['an oversized truncated body', http(200, JOINED.slice(0, 10), {}, true)],
		])('retries a 2xx with %s, after the backoff', (_label, answer) => {
			expect(decide(answer)).toEqual({
				retry: true,
				waitMs: 500,
				why: 'HTTP 200',
				pausesToken: false,
			});
		});
	});

	it.each([400, 401, 403, 404, 405, 409, 413, 422, 451])(
		'never retries %i, even with Retry-After',
		(status) => {
			const body = JSON.stringify({ success: false, error: { message: 'no' } });
			expect(decide(http(status, body))).toEqual({ retry: false });
			expect(
				decide(http(status, body, { ...rateHeaders(100, 0, NOW_S + 30), 'retry-after': '5' })),
			).toEqual({ retry: false });
		},
	);

	it.each([301, 302, 303, 304, 307, 308])('never retries %i', (status) => {
		expect(decide(http(status, '', { location: 'https://elsewhere.example/' }))).toEqual({
			retry: false,
		});
		expect(decide(http(status, '', { 'retry-after': '5' }))).toEqual({ retry: false });
	});

	describe('429', () => {
		const limited = (headers: Record<string, string | undefined>) =>
			http(
				429,
				JSON.stringify({
					success: false,
					error: { message: 'Rate limit exceeded. Try again later.' },
				}),
				headers,
			);

		it.each([
			['5', 5_000],
			['1', 1_000],
			['30', 30_000],
			['0', 1_000],
		])('waits for Retry-After: %s seconds, at least 1 s', (value, expected) => {
			expect(decide(limited({ 'retry-after': value }))).toEqual({
				retry: true,
				waitMs: expected,
				why: 'rate limited (Retry-After)',
				pausesToken: true,
			});
		});

		it('waits for a Retry-After HTTP-date', () => {
			const decision = decide(
				limited({ 'retry-after': new Date(NOW + 7_000).toUTCString() }),
				1,
				NOW,
			);
			expect(decision).toEqual({
				retry: true,
				waitMs: 7_000,
				why: 'rate limited (Retry-After)',
				pausesToken: true,
			});
		});

		it('waits 1 s for a Retry-After HTTP-date in the past', () => {
			expect(decide(limited({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }))).toMatchObject({
				retry: true,
				waitMs: 1_000,
				pausesToken: true,
			});
		});

		it('puts Retry-After ahead of X-RateLimit-Reset', () => {
			expect(
				decide(limited({ ...rateHeaders(100, 0, NOW_S + 40), 'retry-after': '3' })),
			).toMatchObject({ waitMs: 3_000 });
			expect(
				decide(limited({ ...rateHeaders(100, 5, NOW_S + 40), 'retry-after': '3' })),
			).toMatchObject({ waitMs: 3_000 });
		});

		it('falls back to the reset when Retry-After is unreadable', () => {
			expect(
				decide(limited({ ...rateHeaders(100, 0, NOW_S + 3), 'retry-after': 'soon' })),
			).toMatchObject({
				waitMs: 3_000 + RESET_MARGIN_MS,
			});
		});

		it('waits until the announced reset (plus the margin) when none remain', () => {
			expect(decide(limited(rateHeaders(100, 0, NOW_S + 3)))).toEqual({
				retry: true,
				waitMs: 3_000 + RESET_MARGIN_MS,
				why: 'rate limit reached',
				pausesToken: true,
			});
			expect(decide(limited(rateHeaders(100, 0, NOW_S + 3)), 1, NOW + 400)).toMatchObject({
				waitMs: 2_600 + RESET_MARGIN_MS,
			});
			expect(decide(limited(rateHeaders(100, 0, NOW_S + 60)), 4, NOW, () => 0.99)).toMatchObject({
				waitMs: 60_000 + RESET_MARGIN_MS,
			});
		});

		it('waits at least 1 s when the reset is close, now or past (never 0, never negative)', () => {
			expect(decide(limited(rateHeaders(100, 0, NOW_S + 1)), 1, NOW + 500)).toMatchObject({
				waitMs: 1_000,
				pausesToken: true,
			});
			expect(decide(limited(rateHeaders(100, 0, NOW_S)))).toMatchObject({
				waitMs: 1_000,
				pausesToken: true,
			});
			expect(decide(limited(rateHeaders(100, 0, NOW_S - 10)))).toMatchObject({
				waitMs: 1_000,
				pausesToken: true,
			});
			expect(decide(limited(rateHeaders(100, 0, 0)))).toMatchObject({
				waitMs: 1_000,
				pausesToken: true,
			});
		});

		it('backs off, at least 1 s, when requests remain (WhatsApp throttling)', () => {
			const answer = limited(rateHeaders(100, 57, NOW_S + 40));
			const first = decide(answer, 1, NOW, half);
			expect(first).toMatchObject({ retry: true, waitMs: 1_000, pausesToken: true });
			expect(first.retry && first.why).toMatch(/throttl/i);
			// Exponential: the ceiling doubles with each try, so the same random waits longer.
			expect(decide(answer, 3, NOW, half)).toMatchObject({ waitMs: 2_000 });
			expect(decide(answer, 4, NOW, half)).toMatchObject({ waitMs: 4_000 });
			expect(decide(answer, 4, NOW, () => 0)).toMatchObject({ waitMs: 1_000 });
			// Not until the reset: requests remain in this window, even one.
			expect(decide(answer, 1, NOW, () => 0.99)).toMatchObject({ waitMs: 1_000 });
			const lastOne = decide(limited(rateHeaders(100, 1, NOW_S + 40)), 1, NOW, half);
			expect(lastOne).toMatchObject({ retry: true, waitMs: 1_000, pausesToken: true });
			expect(lastOne.retry && lastOne.why).toMatch(/throttl/i);
		});

		it.each([
			['no headers at all', {}],
			['garbage rate headers', rateHeaders('lots', 'some', 'later')],
			['a partial set of rate headers', { 'x-ratelimit-remaining': '0' }],
		])('backs off, at least 1 s, with %s', (_label, headers) => {
			expect(decide(limited(headers), 1, NOW, () => 0)).toEqual({
				retry: true,
				waitMs: 1_000,
				why: 'rate limit reached',
				pausesToken: true,
			});
			expect(decide(limited(headers), 4, NOW, half)).toMatchObject({
				waitMs: 4_000,
				pausesToken: true,
			});
		});
	});

	it.each([500, 501, 502, 503, 504, 599])('retries %i after the backoff', (status) => {
		const answer = http(status, '<html><body>Bad Gateway</body></html>', {
			'content-type': 'text/html',
		});
		expect(decide(answer, 1, NOW, half)).toEqual({
			retry: true,
			waitMs: 500,
			why: `HTTP ${status}`,
			pausesToken: false,
		});
		expect(decide(answer, 3, NOW, () => 0.25)).toMatchObject({ waitMs: 1_000 });
		expect(decide(answer, 1, NOW, () => 0)).toMatchObject({ retry: true, waitMs: 0 });
	});

	it('backs off on a 5xx without reading the rate headers', () => {
		expect(decide(http(503, '', rateHeaders(100, 0, NOW_S + 50)), 1, NOW, half)).toMatchObject({
			waitMs: 500,
			pausesToken: false,
		});
	});

	it.each([
		['timeout', 'no answer in time'],
		['network', 'could not reach RyzeAPI'],
	] as const)('retries no answer (%s) after the backoff', (failure, why) => {
		const answer: RawAnswer = { kind: 'noAnswer', failure, detail: 'ECONNRESET' };
		expect(decide(answer, 2, NOW, half)).toEqual({
			retry: true,
			waitMs: 1_000,
			why,
			pausesToken: false,
		});
	});

	it('uses each random draw once, for the backoff', () => {
		const random = sequence(0.1, 0.9);
		expect(decide(http(502), 2, NOW, random)).toMatchObject({ waitMs: 200 });
		expect(decide(http(502), 2, NOW, random)).toMatchObject({ waitMs: 1_800 });
	});

	describe('attempts bounded', () => {
		const retried: Array<[string, RawAnswer]> = [
			['200 malformed', http(200, '{')],
			['200 oversized', http(200, JOINED, {}, true)],
			['429 Retry-After', http(429, '', { 'retry-after': '5' })],
			['429 reset', http(429, '', rateHeaders(100, 0, NOW_S + 3))],
			['429 throttled', http(429, '', rateHeaders(100, 9, NOW_S + 3))],
			['429 bare', http(429)],
			['500', http(500)],
			['503', http(503)],
			['timeout', { kind: 'noAnswer', failure: 'timeout', detail: '' }],
			['network', { kind: 'noAnswer', failure: 'network', detail: '' }],
		];

		it.each(retried)('retries %s before maxTries, never at or after it', (_label, answer) => {
			for (let tries = 1; tries < POLICY.maxTries; tries++)
				expect(decide(answer, tries).retry).toBe(true);
			for (const tries of [POLICY.maxTries, POLICY.maxTries + 1, 100])
				expect(decide(answer, tries)).toEqual({ retry: false });
		});

		it('with maxTries 1, retries nothing', () => {
			for (const [, answer] of retried)
				expect(
					retryDecision(transientOf(answer), after(1), { ...POLICY, maxTries: 1 }, NOW, half),
				).toEqual({
					retry: false,
				});
		});
	});

	describe("the task's wait budget and the gate's veto", () => {
		const retried: RawAnswer[] = [
			http(429, '', { 'retry-after': '5' }),
			http(429, '', rateHeaders(100, 0, NOW_S + 3)),
			http(429, '', rateHeaders(100, 9, NOW_S + 3)),
			http(502),
			http(200, '{'),
			{ kind: 'noAnswer', failure: 'timeout', detail: '' },
		];

		it.each(retried.map((answer) => [answer]))(
			'never tries %j again once the gate stopped the task',
			(answer) => {
				expect(
					retryDecision(transientOf(answer), after(1, { stopped: true }), POLICY, NOW, half),
				).toEqual({ retry: false });
			},
		);

		it('tries again while the waits so far and this one fit in maxRetryWaitMs, not beyond', () => {
			const budget = { ...POLICY, maxRetryWaitMs: 10_000 };
			const limited = transientOf(http(429, '', { 'retry-after': '4' }));
			const decide = (waitedMs: number) =>
				retryDecision(limited, after(2, { waitedMs }), budget, NOW, half);
			expect(decide(0)).toMatchObject({ retry: true, waitMs: 4_000 });
			expect(decide(6_000)).toMatchObject({ retry: true, waitMs: 4_000 });
			expect(decide(6_001)).toEqual({ retry: false });
			expect(decide(10_000)).toEqual({ retry: false });
			// A budget of 0 allows only waits of 0: a backoff drawn at 0, never a 429's 1 s.
			const none = { ...POLICY, maxRetryWaitMs: 0 };
			expect(retryDecision(FAILING, after(1), none, NOW, () => 0)).toMatchObject({
				retry: true,
				waitMs: 0,
			});
			expect(retryDecision(FAILING, after(1), none, NOW, half)).toEqual({ retry: false });
			expect(retryDecision(limited, after(1), none, NOW, () => 0)).toEqual({ retry: false });
		});
	});

	it('pauses the token on exactly the 429s', () => {
		const answers: RawAnswer[] = [
			http(429),
			http(429, '', { 'retry-after': '2' }),
			http(429, '', rateHeaders(100, 0, NOW_S + 5)),
			http(429, '', rateHeaders(100, 3, NOW_S + 5)),
			http(500),
			http(502, '', rateHeaders(100, 0, NOW_S + 5)),
			http(200, '{'),
			{ kind: 'noAnswer', failure: 'timeout', detail: '' },
			{ kind: 'noAnswer', failure: 'network', detail: '' },
		];
		for (const answer of answers) {
			const decision = decide(answer);
			check(decision.retry, 'a 429 is retried');
			if (decision.retry)
				expect(decision.pausesToken).toBe(answer.kind === 'http' && answer.status === 429);
		}
	});

	describe('property', () => {
		const header = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: undefined });
		const number = fc.oneof(
			fc.nat({ max: 1_000 }).map(String),
			fc.string({ maxLength: 6 }),
			fc.constantFrom('-1', '1.5', '99999999999999999999'),
		);
		// Retry-After: delay-seconds (up to 12 digits), HTTP-dates around now, and garbage.
		const retryAfter = fc.oneof(
			fc.nat({ max: 1_000_000 }).map(String),
			fc.stringMatching(/^\d{1,12}$/),
			fc
				.integer({ min: -100_000, max: 100_000 })
				.map((s) => new Date(NOW + s * 1000).toUTCString()),
			fc.string({ maxLength: 12 }),
			fc.constantFrom('soon', '-1', '1.5', '', 'x 5', 'later 3000'),
		);
		const resetSeconds = fc.oneof(
			fc.integer({ min: NOW_S - 120, max: NOW_S + 120 }).map(String),
			number,
		);
		const body = fc.oneof(
			fc.constant(JOINED),
			fc.constant(JOINED.slice(0, 17)),
			fc.json(),
			fc.string({ maxLength: 30 }),
			fc.record({ success: fc.boolean(), message: fc.string() }).map((v) => JSON.stringify(v)),
		);
		const status = fc.oneof(
			fc.constantFrom(
				200,
				201,
				202,
				204,
				301,
				302,
				304,
				400,
				401,
				403,
				404,
				409,
				422,
				429,
				429,
				429,
				500,
				502,
				503,
				504,
			),
			fc.integer({ min: 100, max: 599 }),
		);
		const httpAnswer: fc.Arbitrary<RawAnswer> = fc
			.record({
				status,
				limit: header(number),
				remaining: header(number),
				reset: header(resetSeconds),
				retryAfter: header(retryAfter),
				body,
				bodyTooLarge: fc.boolean(),
			})
			.map(({ status, limit, remaining, reset, retryAfter, body, bodyTooLarge }) =>
				http(
					status,
					body,
					{
						'x-ratelimit-limit': limit,
						'x-ratelimit-remaining': remaining,
						'x-ratelimit-reset': reset,
						'retry-after': retryAfter,
					},
					bodyTooLarge,
				),
			);
		const noAnswer: fc.Arbitrary<RawAnswer> = fc
			.record({
				failure: fc.constantFrom('timeout' as const, 'network' as const),
				detail: fc.string(),
			})
			.map(({ failure, detail }) => ({ kind: 'noAnswer', failure, detail }));
		const anyAnswer = fc.oneof(
			{ arbitrary: httpAnswer, weight: 5 },
			{ arbitrary: noAnswer, weight: 1 },
		);
		const policy = fc.record({
			maxTries: fc.integer({ min: 1, max: 10 }),
			baseDelayMs: fc.integer({ min: 0, max: 10_000 }),
			maxDelayMs: fc.integer({ min: 0, max: 300_000 }),
		});

		it('waits a finite time ≥ 0 (≥ 1 s on a 429), stops at maxTries, never retries other 4xx, 3xx or 1xx', () => {
			fc.assert(
				fc.property(
					anyAnswer,
					fc.integer({ min: 1, max: 12 }),
					policy,
					fc.integer({ min: -5_000, max: 5_000 }),
					fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
					(answer, tries, policy, nowOffset, r) => {
						const decision = retryDecision(
							transientOf(answer),
							after(tries),
							{ ...policy, maxRetryWaitMs: Infinity },
							NOW + nowOffset,
							() => r,
						);
						if (tries >= policy.maxTries) expect(decision.retry).toBe(false);
						const status = answer.kind === 'http' ? answer.status : undefined;
						if (
							status !== undefined &&
							status !== 429 &&
							status < 500 &&
							!(status >= 200 && status < 300)
						) {
							expect(decision.retry).toBe(false);
						}
						if (
							answer.kind === 'http' &&
							answer.status >= 200 &&
							answer.status < 300 &&
							!answer.bodyTooLarge
						) {
							let wellFormed = false;
							try {
								const parsed: unknown = JSON.parse(answer.body);
								wellFormed =
									typeof parsed === 'object' &&
									parsed !== null &&
									typeof (parsed as { success?: unknown }).success === 'boolean';
							} catch {
								wellFormed = false;
							}
							if (wellFormed) expect(decision.retry).toBe(false);
							else expect(decision.retry).toBe(tries < policy.maxTries);
						}
						if (
							(status === undefined || status === 429 || status >= 500) &&
							tries < policy.maxTries
						)
							expect(decision.retry).toBe(true);
						if (!decision.retry) return;
						expect(Number.isFinite(decision.waitMs)).toBe(true);
						expect(decision.waitMs).toBeGreaterThanOrEqual(0);
						expect(decision.pausesToken).toBe(status === 429);
						if (status === 429)
							expect(decision.waitMs).toBeGreaterThanOrEqual(MIN_RATE_LIMIT_WAIT_MS);
						else
							expect(decision.waitMs).toBeLessThanOrEqual(
								Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (tries - 1)),
							);
					},
				),
				{ numRuns: 1_000 },
			);
		});

		it("retries exactly when the unbounded decision does, the gate lets it, and the wait fits the task's budget", () => {
			fc.assert(
				fc.property(
					anyAnswer,
					fc.integer({ min: 1, max: 12 }),
					policy,
					fc.nat({ max: 400_000 }),
					fc.nat({ max: 400_000 }),
					fc.boolean(),
					fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
					(answer, tries, policy, waitedMs, maxRetryWaitMs, stopped, r) => {
						const transient = transientOf(answer);
						const unbounded = retryDecision(
							transient,
							after(tries),
							{ ...policy, maxRetryWaitMs: Infinity },
							NOW,
							() => r,
						);
						const decision = retryDecision(
							transient,
							{ tries, waitedMs, stopped },
							{ ...policy, maxRetryWaitMs },
							NOW,
							() => r,
						);
						const fits = unbounded.retry && waitedMs + unbounded.waitMs <= maxRetryWaitMs;
						expect(decision).toEqual(fits && !stopped ? unbounded : { retry: false });
					},
				),
				{ numRuns: 1_000 },
			);
		});
	});
});
