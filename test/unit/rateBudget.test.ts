/**
 * Pacing decisions as pure functions of headers, a clock and a random number: no timers here,
 * the clock is a plain number the test moves.
 */
import fc from 'fast-check';

import type { RawAnswer } from '../../nodes/RyzeApi/helpers/interfaces';
import type { RateLimitSnapshot, RetryPolicy } from '../../nodes/RyzeApi/helpers/pacing';
import {
	ASSUMED_LIMIT,
	ASSUMED_WINDOW_MS,
	fullJitterBackoff,
	MIN_RATE_LIMIT_WAIT_MS,
	parseRetryAfter,
	RateBudget,
	readRateLimitHeaders,
	RESET_MARGIN_MS,
	retryDecision,
} from '../../nodes/RyzeApi/helpers/pacing';

const NOW = 1_800_000_000_000;
const policy: RetryPolicy = { maxTries: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 };
const half = () => 0.5;

function http(status: number, headers: Record<string, string> = {}, body = '{"success":false,"error":{"message":"x"}}'): RawAnswer {
	return { kind: 'http', status, headers, body, bodyTooLarge: false };
}

function limitHeaders(limit: number, remaining: number, resetAtMs: number): Record<string, string> {
	return { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(resetAtMs / 1000) };
}

describe('readRateLimitHeaders', () => {
	test('reads limit, remaining and the reset in seconds', () => {
		expect(readRateLimitHeaders(limitHeaders(100, 42, NOW + 30_000))).toEqual({ limit: 100, remaining: 42, resetAtMs: NOW + 30_000 });
	});

	test.each([
		[{}],
		[{ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '5' }],
		[{ 'x-ratelimit-limit': 'lots', 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '1' }],
		[{ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '-1', 'x-ratelimit-reset': '1' }],
		[{ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '1.5', 'x-ratelimit-reset': '1' }],
		[{ 'x-ratelimit-limit': '0', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' }],
		[{ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '99999999999999999999' }],
	])('ignores incomplete or unreadable headers %j', (headers) => {
		expect(readRateLimitHeaders(headers)).toBeUndefined();
	});

	test('never reports more remaining than the limit', () => {
		expect(readRateLimitHeaders(limitHeaders(10, 50, NOW))?.remaining).toBe(10);
	});
});

describe('parseRetryAfter', () => {
	test.each([
		['0', 0],
		['5', 5_000],
		[' 12 ', 12_000],
		[new Date(NOW + 7_000).toUTCString(), 7_000],
		[new Date(NOW - 7_000).toUTCString(), 0],
	])('%j → %d ms', (value, ms) => {
		expect(parseRetryAfter(value, NOW)).toBe(ms);
	});

	test.each([undefined, '', 'soon', '-1', '1.5', '12abc'])('%j → undefined', (value) => {
		expect(parseRetryAfter(value, NOW)).toBeUndefined();
	});
});

describe('fullJitterBackoff', () => {
	test('stays within [0, min(cap, base·2^(n−1))]', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (tries, r) => {
				const wait = fullJitterBackoff(tries, policy, () => r);
				expect(wait).toBeGreaterThanOrEqual(0);
				expect(wait).toBeLessThanOrEqual(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (tries - 1)));
			}),
			{ numRuns: 500, seed: 7 },
		);
	});

	test('grows with the tries until the cap', () => {
		const nearlyOne = () => 0.999999;
		expect([1, 2, 3, 4].map((tries) => fullJitterBackoff(tries, policy, nearlyOne))).toEqual([999, 1999, 3999, 7999]);
		expect(fullJitterBackoff(20, policy, nearlyOne)).toBe(59_999);
	});
});

describe('retryDecision', () => {
	const joined = http(200, {}, '{"success":true,"message":"ok","groupJid":"1@g.us","requiresApproval":false}');

	test.each([
		['a join', joined],
		['400', http(400)],
		['401', http(401)],
		['403', http(403)],
		['404', http(404)],
		['409', http(409)],
		['422', http(422)],
		['301', http(301)],
		['302', http(302)],
	])('never retries %s', (_label, answer) => {
		expect(retryDecision(answer, 1, policy, NOW, half)).toEqual({ retry: false });
	});

	test.each([
		['500', http(500)],
		['502 HTML', http(502, { 'content-type': 'text/html' }, '<html>')],
		['503', http(503)],
		['504 empty', http(504, {}, '')],
		['200 malformed', http(200, {}, '{success: true,,')],
		['200 truncated', http(200, {}, '{"success":true,"message":"Succ')],
		['200 oversized', { kind: 'http', status: 200, headers: {}, body: '', bodyTooLarge: true } as RawAnswer],
		['a timeout', { kind: 'noAnswer', failure: 'timeout', detail: 'x' } as RawAnswer],
		['a reset', { kind: 'noAnswer', failure: 'network', detail: 'ECONNRESET' } as RawAnswer],
	])('retries %s with a jittered backoff', (_label, answer) => {
		expect(retryDecision(answer, 2, policy, NOW, half)).toEqual({ retry: true, waitMs: 1_000, why: expect.any(String), rateLimited: false });
	});

	test('a 429 with Retry-After waits that long, at least 1 s', () => {
		expect(retryDecision(http(429, { 'retry-after': '7' }), 1, policy, NOW, half)).toMatchObject({ retry: true, waitMs: 7_000, rateLimited: true });
		expect(retryDecision(http(429, { 'retry-after': '0' }), 1, policy, NOW, half)).toMatchObject({ waitMs: MIN_RATE_LIMIT_WAIT_MS });
		const date = new Date(NOW + 4_000).toUTCString();
		expect(retryDecision(http(429, { 'retry-after': date }), 1, policy, NOW, half)).toMatchObject({ waitMs: 4_000 });
	});

	test('a 429 with the window used up waits for the reset', () => {
		const decision = retryDecision(http(429, limitHeaders(100, 0, NOW + 3_000)), 1, policy, NOW, half);
		expect(decision).toMatchObject({ retry: true, waitMs: 3_000 + RESET_MARGIN_MS, why: 'rate limit reached' });
	});

	test('a 429 whose reset has passed (clock skew) still waits 1 s, never 0', () => {
		expect(retryDecision(http(429, limitHeaders(100, 0, NOW - 5_000)), 1, policy, NOW, half)).toMatchObject({ waitMs: MIN_RATE_LIMIT_WAIT_MS });
	});

	test('a 429 while requests remain is WhatsApp throttling: exponential backoff, at least 1 s', () => {
		const decision = retryDecision(http(429, limitHeaders(100, 40, NOW + 30_000)), 4, policy, NOW, () => 0.99);
		expect(decision).toMatchObject({ retry: true, why: expect.stringMatching(/throttl/), rateLimited: true });
		expect(decision.retry && decision.waitMs).toBeGreaterThan(7_000);
	});

	test('no retry once the tries are spent', () => {
		for (const answer of [http(500), http(429), { kind: 'noAnswer', failure: 'timeout', detail: '' } as RawAnswer]) {
			expect(retryDecision(answer, policy.maxTries, policy, NOW, half)).toEqual({ retry: false });
		}
	});

	test('for any answer: a finite wait, at least 1 s on a 429, never a retry of another 4xx', () => {
		const answer = fc.oneof(
			fc.record({
				kind: fc.constant('http' as const),
				status: fc.integer({ min: 100, max: 599 }),
				headers: fc.dictionary(fc.constantFrom('retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'), fc.oneof(fc.string(), fc.nat().map(String))),
				body: fc.oneof(fc.string(), fc.json()),
				bodyTooLarge: fc.boolean(),
			}),
			fc.record({ kind: fc.constant('noAnswer' as const), failure: fc.constantFrom('timeout' as const, 'network' as const), detail: fc.string() }),
		);
		fc.assert(
			fc.property(answer, fc.integer({ min: 1, max: 8 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (a, tries, r) => {
				const decision = retryDecision(a as RawAnswer, tries, policy, NOW, () => r);
				if (!decision.retry) return;
				expect(tries).toBeLessThan(policy.maxTries);
				expect(Number.isFinite(decision.waitMs) && decision.waitMs >= 0).toBe(true);
				if (a.kind === 'http') {
					expect(a.status >= 400 && a.status < 500 && a.status !== 429).toBe(false);
					if (a.status === 429) expect(decision.waitMs).toBeGreaterThanOrEqual(MIN_RATE_LIMIT_WAIT_MS);
				}
			}),
			{ numRuns: 500, seed: 11 },
		);
	});
});

describe('RateBudget', () => {
	const window = (remaining: number, resetAtMs = NOW + 60_000, limit = 20): RateLimitSnapshot => ({ limit, remaining, resetAtMs });

	function startsAllowed(budget: RateBudget, now: number): number {
		let starts = 0;
		while (budget.decide(now).go && starts < 1_000) {
			budget.onStart(now);
			starts++;
		}
		return starts;
	}

	test('the first request goes alone; the others wait for its answer', () => {
		const budget = new RateBudget();
		expect(budget.decide(NOW)).toEqual({ go: true });
		budget.onStart(NOW);
		expect(budget.decide(NOW)).toEqual({ go: false, waitMs: undefined, why: expect.any(String) });
	});

	test('then never more in flight than remain', () => {
		const budget = new RateBudget();
		budget.onStart(NOW);
		budget.onSettled(window(19));
		expect(startsAllowed(budget, NOW)).toBe(19);
		expect(budget.decide(NOW)).toMatchObject({ go: false, waitMs: undefined });
	});

	test('when none remain and none are in flight it waits for the reset, then probes the new window', () => {
		const budget = new RateBudget();
		budget.onStart(NOW);
		budget.onSettled(window(1, NOW + 2_000));
		budget.onStart(NOW);
		budget.onSettled(window(0, NOW + 2_000));
		expect(budget.decide(NOW + 500)).toEqual({ go: false, waitMs: 1_500 + RESET_MARGIN_MS, why: 'rate limit window used up' });
		const later = NOW + 2_000 + RESET_MARGIN_MS;
		expect(startsAllowed(budget, later)).toBe(1);
		budget.onSettled(window(19, NOW + 4_000));
		expect(startsAllowed(budget, later)).toBe(19);
	});

	test('answers out of order keep the lowest count; an older window is ignored; a newer one replaces', () => {
		const budget = new RateBudget();
		budget.onStart(NOW);
		budget.onSettled(window(10));
		for (let i = 0; i < 3; i++) budget.onStart(NOW);
		budget.onSettled(window(7));
		budget.onSettled(window(9));
		budget.onSettled(window(15, NOW - 1));
		expect(startsAllowed(budget, NOW)).toBe(7);
		budget.onSettled(window(20, NOW + 120_000));
		expect(startsAllowed(budget, NOW)).toBe(20 - 7 + 1);
	});

	test('another client spending the token shows in the counts and leaves fewer starts', () => {
		const budget = new RateBudget();
		budget.onStart(NOW);
		budget.onSettled(window(19));
		budget.onStart(NOW);
		budget.onSettled(window(8));
		expect(startsAllowed(budget, NOW)).toBe(8);
	});

	test('without rate-limit headers it assumes 100 per minute', () => {
		const budget = new RateBudget();
		budget.onStart(NOW);
		budget.onSettled(undefined);
		expect(startsAllowed(budget, NOW)).toBe(ASSUMED_LIMIT - 1);
		expect(budget.decide(NOW + 1_000)).toMatchObject({ go: false, waitMs: ASSUMED_WINDOW_MS - 1_000 });
		expect(budget.decide(NOW + ASSUMED_WINDOW_MS).go).toBe(true);
	});

	test('a pause blocks every start until it ends', () => {
		const budget = new RateBudget();
		budget.onStart(NOW);
		budget.onSettled(window(10));
		budget.pauseUntil(NOW + 1_000);
		expect(budget.decide(NOW + 400)).toEqual({ go: false, waitMs: 600, why: 'rate limited' });
		expect(budget.decide(NOW + 1_000).go).toBe(true);
	});

	test('an abandoned start frees its slot without counting as an answer', () => {
		const budget = new RateBudget();
		budget.onStart(NOW);
		budget.onAbandoned();
		expect(budget.requestsInFlight).toBe(0);
		expect(budget.decide(NOW)).toEqual({ go: true });
	});

	test('simulated against a fixed-window server: never over the limit, never stuck', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 30 }),
				fc.constantFrom(1_000, 2_000, 60_000),
				fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.nat()), { minLength: 1, maxLength: 300 }),
				(limit, windowMs, steps) => {
					const budget = new RateBudget();
					const counted = new Map<number, number>();
					const inFlight: Array<{ window: number }> = [];
					let now = NOW;
					for (const [advance, pick] of steps) {
						now += advance;
						// Bounded: a broken budget that always says go must fail the assertion, not loop.
						for (let starts = 0; starts <= limit && budget.decide(now).go; starts++) {
							budget.onStart(now);
							const windowIndex = Math.floor(now / windowMs);
							counted.set(windowIndex, (counted.get(windowIndex) ?? 0) + 1);
							inFlight.push({ window: windowIndex });
						}
						if (inFlight.length > 0) {
							inFlight.splice(pick % inFlight.length, 1);
							const windowIndex = Math.floor(now / windowMs);
							const used = counted.get(windowIndex) ?? 0;
							budget.onSettled({ limit, remaining: Math.max(0, limit - used), resetAtMs: (windowIndex + 1) * windowMs });
						} else {
							const decision = budget.decide(now);
							// With nothing in flight, a refusal must name a finite wait.
							expect(decision.go || (decision.waitMs !== undefined && Number.isFinite(decision.waitMs))).toBe(true);
						}
					}
					for (const count of counted.values()) expect(count).toBeLessThanOrEqual(limit);
				},
			),
			{ numRuns: 200, seed: 3 },
		);
	});
});
