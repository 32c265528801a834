/**
 * pacing: the rate-limit headers, Retry-After, the backoff, the retry decision and the token's
 * request budget, all on a fake clock (plain numbers) and a deterministic random. The budget is
 * also driven against a simulated fixed-window server, with and without other consumers.
 */
import fc from 'fast-check';

import { classifyAnswer } from '../../nodes/RyzeApi/helpers/classifyAnswer';
import { JOIN_ANSWER } from '../../nodes/RyzeApi/helpers/groupAnswers';
import type { RawAnswer } from '../../nodes/RyzeApi/helpers/interfaces';
import type { RateLimitSnapshot, StartDecision } from '../../nodes/RyzeApi/helpers/rateBudget';
import {
	ASSUMED_LIMIT,
	ASSUMED_WINDOW_MS,
	MIN_RATE_LIMIT_WAIT_MS,
	RESET_MARGIN_MS,
	RateBudget,
	readRateLimitHeaders,
} from '../../nodes/RyzeApi/helpers/rateBudget';
import type { RetryPolicy } from '../../nodes/RyzeApi/helpers/retryPolicy';
import {
	fullJitterBackoff,
	parseRetryAfter,
	retryDecision,
} from '../../nodes/RyzeApi/helpers/retryPolicy';

/** Whether classifyAnswer calls a join answer transient: the retry decision's first question. */
const transientOf = (answer: RawAnswer) => classifyAnswer(answer, 64 * 1024, JOIN_ANSWER).transient;

/** 2026-01-01T00:00:00Z: a whole second, far from 0, like Date.now(). */
const NOW = 1_767_225_600_000;
const NOW_S = NOW / 1000;
const JID = '120363406289005073@g.us';
const JOINED = JSON.stringify({
	success: true,
	message: 'Successfully joined the group',
	groupJid: JID,
	requiresApproval: false,
});
const POLICY: RetryPolicy = { maxTries: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 };
const half = () => 0.5;

function http(
	status: number,
	body = '',
	headers: Record<string, string | undefined> = {},
	bodyTooLarge = false,
): RawAnswer {
	return { kind: 'http', status, headers, body, bodyTooLarge };
}

function rateHeaders(
	limit: number | string,
	remaining: number | string,
	resetSeconds: number | string,
): Record<string, string> {
	return {
		'x-ratelimit-limit': String(limit),
		'x-ratelimit-remaining': String(remaining),
		'x-ratelimit-reset': String(resetSeconds),
	};
}

/** A random() that returns the given values in turn, then repeats the last one. */
function sequence(...values: number[]): () => number {
	let i = 0;
	return () => values[Math.min(i++, values.length - 1)];
}

/** Starts requests at `nowMs` while the budget allows, at most `max`; returns how many started. */
function startAll(budget: RateBudget, nowMs: number, max = 10_000): number {
	let started = 0;
	while (started < max && budget.decide(nowMs).go) {
		budget.onStart(nowMs);
		started++;
	}
	return started;
}

function expectWait(decision: StartDecision, waitMs: number | undefined): void {
	expect(decision.go).toBe(false);
	if (decision.go) return;
	expect(decision.waitMs).toBe(waitMs);
	expect(decision.why).not.toBe('');
}

describe('readRateLimitHeaders', () => {
	it('reads the three headers, the reset from Unix seconds into ms', () => {
		expect(readRateLimitHeaders(rateHeaders(100, 42, NOW_S + 60))).toEqual({
			limit: 100,
			remaining: 42,
			resetAtMs: NOW + 60_000,
		});
	});

	it('reads remaining 0 (the window is used up)', () => {
		expect(readRateLimitHeaders(rateHeaders(20, 0, NOW_S))).toEqual({
			limit: 20,
			remaining: 0,
			resetAtMs: NOW,
		});
	});

	it('tolerates whitespace around a number', () => {
		expect(readRateLimitHeaders(rateHeaders(' 100', '7 ', ` ${NOW_S} `))).toEqual({
			limit: 100,
			remaining: 7,
			resetAtMs: NOW,
		});
	});

	it('ignores headers it does not need', () => {
		expect(
			readRateLimitHeaders({
				...rateHeaders(100, 1, NOW_S),
				'content-type': 'application/json',
				'retry-after': '5',
			}),
		).toEqual({
			limit: 100,
			remaining: 1,
			resetAtMs: NOW,
		});
	});

	it('clamps remaining to the limit', () => {
		expect(readRateLimitHeaders(rateHeaders(100, 150, NOW_S))).toEqual({
			limit: 100,
			remaining: 100,
			resetAtMs: NOW,
		});
	});

	it('gives up on a limit of 0', () => {
		expect(readRateLimitHeaders(rateHeaders(0, 0, NOW_S))).toBeUndefined();
	});

	it.each(['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])(
		'gives up when %s is missing',
		(name) => {
			const headers: Record<string, string | undefined> = rateHeaders(100, 50, NOW_S);
			delete headers[name];
			expect(readRateLimitHeaders(headers)).toBeUndefined();
			expect(
				readRateLimitHeaders({ ...rateHeaders(100, 50, NOW_S), [name]: undefined }),
			).toBeUndefined();
		},
	);

	it('gives up without any header', () => {
		expect(readRateLimitHeaders({})).toBeUndefined();
	});

	const garbage = [
		['empty', ''],
		['blank', '   '],
		['a word', 'abc'],
		['negative', '-1'],
		['float', '1.5'],
		['float with zero fraction', '100.0'],
		['exponent', '1e3'],
		['hex', '0x10'],
		['signed', '+5'],
		['trailing text', '12abc'],
		['two numbers', '10, 20'],
		['NaN', 'NaN'],
		['Infinity', 'Infinity'],
		['huge (beyond a safe integer)', '99999999999999999999'],
		['huge (beyond a double)', '9'.repeat(400)],
	] as const;
	const positions = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'] as const;
	it.each(
		positions.flatMap((name) => garbage.map(([label, value]) => [name, label, value] as const)),
	)('gives up when %s is %s', (name, _label, value) => {
		expect(readRateLimitHeaders({ ...rateHeaders(100, 50, NOW_S), [name]: value })).toBeUndefined();
	});

	it('property: a snapshot is whole numbers, limit ≥ 1, 0 ≤ remaining ≤ limit, reset in ms', () => {
		const value = fc.oneof(
			fc.nat({ max: 2_000_000_000 }).map(String),
			fc.string({ maxLength: 12 }),
			fc.constantFrom('', '-1', '1.5', '1e3', '99999999999999999999', ' 7 '),
		);
		fc.assert(
			fc.property(value, value, value, (limit, remaining, reset) => {
				const snapshot = readRateLimitHeaders(rateHeaders(limit, remaining, reset));
				if (snapshot === undefined) return;
				expect(Number.isSafeInteger(snapshot.limit)).toBe(true);
				expect(Number.isSafeInteger(snapshot.remaining)).toBe(true);
				expect(snapshot.limit).toBeGreaterThanOrEqual(1);
				expect(snapshot.remaining).toBeGreaterThanOrEqual(0);
				expect(snapshot.remaining).toBeLessThanOrEqual(snapshot.limit);
				expect(snapshot.resetAtMs).toBe(Number(reset) * 1000);
			}),
			{ numRuns: 500 },
		);
	});
});

describe('parseRetryAfter', () => {
	it.each(['x 5', 'later 3000', 'Tomorrow', '2026-11-25T10:00:00Z', `${'9'.repeat(400)}`])(
		'reads %j as nothing: only seconds and the three HTTP-date forms count',
		(value) => {
			expect(parseRetryAfter(value, NOW)).toBeUndefined();
		},
	);

	it('reads an asctime date as GMT, like the other two forms', () => {
		const inTenSeconds = new Date(NOW + 10_000);
		const [weekday, day, month, year, time] = inTenSeconds
			.toUTCString()
			.replace(',', '')
			.split(' ') as [string, string, string, string, string];
		const asctime = `${weekday} ${month} ${day.replace(/^0/, ' ')} ${time} ${year}`;
		expect(parseRetryAfter(asctime, NOW)).toBe(10_000);
		expect(parseRetryAfter(inTenSeconds.toUTCString(), NOW)).toBe(10_000);
	});

	it.each([
		['0', 0],
		['5', 5_000],
		[' 12 ', 12_000],
		['120', 120_000],
		['007', 7_000],
	])('reads delay-seconds %j', (value, expected) => {
		expect(parseRetryAfter(value, NOW)).toBe(expected);
	});

	it('reads an HTTP-date in the future as the time left', () => {
		expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
		expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', NOW)).toBe(30_000);
		expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', NOW + 250)).toBe(29_750);
	});

	it('reads the obsolete RFC 850 date form', () => {
		expect(parseRetryAfter('Thursday, 01-Jan-26 00:00:30 GMT', NOW)).toBe(30_000);
	});

	it('reads an HTTP-date in the past (or now) as 0', () => {
		expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', NOW)).toBe(0);
		expect(parseRetryAfter(new Date(NOW).toUTCString(), NOW)).toBe(0);
		expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(0);
	});

	it.each([
		'soon',
		'-1',
		'1.5',
		'',
		'   ',
		'5s',
		'5 seconds',
		'1e3',
		'0x10',
		'+5',
		'Infinity',
		'NaN',
		'now',
		'tomorrow',
		'Thu, 32 Foo 2026 GMT',
	])('gives up on garbage %j', (value) => {
		expect(parseRetryAfter(value, NOW)).toBeUndefined();
	});

	it('gives up when there is no header', () => {
		expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
	});

	it('property: delay-seconds read exactly, whatever the clock', () => {
		fc.assert(
			fc.property(
				fc.nat({ max: 1_000_000_000 }),
				fc.nat({ max: 4_000_000_000_000 }),
				(seconds, nowMs) => {
					expect(parseRetryAfter(String(seconds), nowMs)).toBe(seconds * 1000);
				},
			),
		);
	});

	it('property: an HTTP-date gives the time left to it, never negative', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: -86_400, max: 86_400 }),
				fc.nat({ max: 999 }),
				(offsetSeconds, nowExtraMs) => {
					const nowMs = NOW + nowExtraMs;
					const date = new Date(NOW + offsetSeconds * 1000).toUTCString();
					expect(parseRetryAfter(date, nowMs)).toBe(
						Math.max(0, NOW + offsetSeconds * 1000 - nowMs),
					);
				},
			),
		);
	});
});

describe('fullJitterBackoff', () => {
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
			retryDecision(answer, transientOf(answer), 1, policy, NOW, half);
		expect(decide(http(500, '{}'))).toEqual({ retry: false });
		expect(decide({ kind: 'noAnswer', failure: 'timeout', detail: 'x' })).toEqual({ retry: false });
		expect(decide(http(200, ''))).toEqual({ retry: false });
		expect(decide(http(429, '{}', rateHeaders(100, 0, NOW_S + 5)))).toMatchObject({
			retry: true,
			rateLimited: true,
		});
	});

	const decide = (answer: RawAnswer, tries = 1, nowMs = NOW, random: () => number = half) =>
		retryDecision(answer, transientOf(answer), tries, POLICY, nowMs, random);

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
				rateLimited: false,
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
				rateLimited: true,
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
				rateLimited: true,
			});
		});

		it('waits 1 s for a Retry-After HTTP-date in the past', () => {
			expect(decide(limited({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }))).toMatchObject({
				retry: true,
				waitMs: 1_000,
				rateLimited: true,
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
				rateLimited: true,
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
				rateLimited: true,
			});
			expect(decide(limited(rateHeaders(100, 0, NOW_S)))).toMatchObject({
				waitMs: 1_000,
				rateLimited: true,
			});
			expect(decide(limited(rateHeaders(100, 0, NOW_S - 10)))).toMatchObject({
				waitMs: 1_000,
				rateLimited: true,
			});
			expect(decide(limited(rateHeaders(100, 0, 0)))).toMatchObject({
				waitMs: 1_000,
				rateLimited: true,
			});
		});

		it('backs off, at least 1 s, when requests remain (WhatsApp throttling)', () => {
			const answer = limited(rateHeaders(100, 57, NOW_S + 40));
			const first = decide(answer, 1, NOW, half);
			expect(first).toMatchObject({ retry: true, waitMs: 1_000, rateLimited: true });
			expect(first.retry && first.why).toMatch(/throttl/i);
			// Exponential: the ceiling doubles with each try, so the same random waits longer.
			expect(decide(answer, 3, NOW, half)).toMatchObject({ waitMs: 2_000 });
			expect(decide(answer, 4, NOW, half)).toMatchObject({ waitMs: 4_000 });
			expect(decide(answer, 4, NOW, () => 0)).toMatchObject({ waitMs: 1_000 });
			// Not until the reset: requests remain in this window, even one.
			expect(decide(answer, 1, NOW, () => 0.99)).toMatchObject({ waitMs: 1_000 });
			const lastOne = decide(limited(rateHeaders(100, 1, NOW_S + 40)), 1, NOW, half);
			expect(lastOne).toMatchObject({ retry: true, waitMs: 1_000, rateLimited: true });
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
				rateLimited: true,
			});
			expect(decide(limited(headers), 4, NOW, half)).toMatchObject({
				waitMs: 4_000,
				rateLimited: true,
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
			rateLimited: false,
		});
		expect(decide(answer, 3, NOW, () => 0.25)).toMatchObject({ waitMs: 1_000 });
		expect(decide(answer, 1, NOW, () => 0)).toMatchObject({ retry: true, waitMs: 0 });
	});

	it('backs off on a 5xx without reading the rate headers', () => {
		expect(decide(http(503, '', rateHeaders(100, 0, NOW_S + 50)), 1, NOW, half)).toMatchObject({
			waitMs: 500,
			rateLimited: false,
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
			rateLimited: false,
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
					retryDecision(answer, transientOf(answer), 1, { ...POLICY, maxTries: 1 }, NOW, half),
				).toEqual({
					retry: false,
				});
		});
	});

	it('flags exactly the 429s as rate limited', () => {
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
				expect(decision.rateLimited).toBe(answer.kind === 'http' && answer.status === 429);
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
							answer,
							transientOf(answer),
							tries,
							policy,
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
						expect(decision.rateLimited).toBe(status === 429);
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
	});
});

describe('RateBudget', () => {
	// These tests pin how the budget counts; the sequential tail of a window has its own tests.
	const NO_TAIL = 0;
	const NO_RAMP = false;
	const T = NOW + 60_000;
	/**
	 * A budget alone on the token that has learned `snapshot`: what the window has used so far
	 * (at least its first request) was its own, so its share is all of it.
	 */
	function learned(snapshot: RateLimitSnapshot, nowMs = NOW): RateBudget {
		const budget = new RateBudget(NO_TAIL, NO_RAMP);
		expect(budget.decide(nowMs)).toEqual({ go: true });
		const used = Math.max(1, snapshot.limit - snapshot.remaining);
		for (let i = 0; i < used; i++) budget.onStart(nowMs);
		for (let i = 0; i < used; i++) budget.onSettled(snapshot);
		return budget;
	}

	it('sends the first request alone, then waits for its answer', () => {
		const budget = new RateBudget(NO_TAIL, NO_RAMP);
		expect(budget.requestsInFlight).toBe(0);
		expect(budget.decide(NOW)).toEqual({ go: true });
		budget.onStart(NOW);
		expect(budget.requestsInFlight).toBe(1);
		expectWait(budget.decide(NOW), undefined);
		expectWait(budget.decide(NOW + 600_000), undefined);
	});

	it('spends what the headers say remains, counting requests in flight, then waits for the reset', () => {
		const budget = learned({ limit: 20, remaining: 19, resetAtMs: T });
		expect(budget.requestsInFlight).toBe(0);
		expect(startAll(budget, NOW + 100)).toBe(19);
		expect(budget.requestsInFlight).toBe(19);
		expectWait(budget.decide(NOW + 100), undefined);

		// The server counted all 19 at arrival; the answers say so, one less each time.
		let now = NOW + 1_000;
		for (let remaining = 18; remaining >= 0; remaining--) {
			budget.onSettled({ limit: 20, remaining, resetAtMs: T });
			expect(budget.requestsInFlight).toBe(remaining);
			if (remaining > 0) expectWait(budget.decide(now), undefined);
			now += 10;
		}
		expectWait(budget.decide(now), T + RESET_MARGIN_MS - now);
		expectWait(budget.decide(T), RESET_MARGIN_MS);
		expectWait(budget.decide(T + RESET_MARGIN_MS - 1), 1);
	});

	it('never has more requests in flight than remain', () => {
		const budget = learned({ limit: 20, remaining: 19, resetAtMs: T });
		expect(startAll(budget, NOW, 5)).toBe(5);
		// The answers report what the server counted when each was answered.
		budget.onSettled({ limit: 20, remaining: 14, resetAtMs: T });
		expect(budget.requestsInFlight).toBe(4);
		expect(startAll(budget, NOW)).toBe(10);
		expect(budget.requestsInFlight).toBe(14);
		expectWait(budget.decide(NOW), undefined);
	});

	it('forgets the window at reset + margin and sends one request alone to learn the next', () => {
		const budget = learned({ limit: 20, remaining: 0, resetAtMs: T });
		expectWait(budget.decide(NOW), T + RESET_MARGIN_MS - NOW);
		expectWait(budget.decide(T + RESET_MARGIN_MS - 1), 1);
		expect(budget.decide(T + RESET_MARGIN_MS)).toEqual({ go: true });
		budget.onStart(T + RESET_MARGIN_MS);
		expectWait(budget.decide(T + RESET_MARGIN_MS), undefined);
		expectWait(budget.decide(T + 10_000), undefined);
		budget.onSettled({ limit: 30, remaining: 29, resetAtMs: T + 60_000 });
		expect(startAll(budget, T + 10_000)).toBe(29);
		expectWait(budget.decide(T + 10_000), undefined);
	});

	it('forgets an unspent window too, and waits for answers still in flight before the probe', () => {
		const budget = learned({ limit: 20, remaining: 19, resetAtMs: T });
		expect(startAll(budget, NOW, 3)).toBe(3);
		expectWait(budget.decide(T + RESET_MARGIN_MS), undefined);
		budget.onSettled({ limit: 20, remaining: 16, resetAtMs: T });
		budget.onSettled({ limit: 20, remaining: 16, resetAtMs: T });
		budget.onSettled({ limit: 20, remaining: 16, resetAtMs: T });
		expect(budget.decide(T + RESET_MARGIN_MS)).toEqual({ go: true });
		budget.onStart(T + RESET_MARGIN_MS);
		expectWait(budget.decide(T + RESET_MARGIN_MS), undefined);
	});

	it('keeps the lowest remaining of a window when answers come out of order', () => {
		const budget = learned({ limit: 20, remaining: 19, resetAtMs: T });
		expect(startAll(budget, NOW, 5)).toBe(5);
		budget.onSettled({ limit: 20, remaining: 14, resetAtMs: T });
		budget.onSettled({ limit: 20, remaining: 16, resetAtMs: T });
		budget.onSettled({ limit: 20, remaining: 15, resetAtMs: T });
		expect(budget.requestsInFlight).toBe(2);
		expect(startAll(budget, NOW)).toBe(14 - 2);
	});

	it('ignores an answer from an earlier window', () => {
		const budget = learned({ limit: 20, remaining: 5, resetAtMs: T });
		expect(startAll(budget, NOW, 1)).toBe(1);
		budget.onSettled({ limit: 20, remaining: 19, resetAtMs: T - 60_000 });
		expect(budget.requestsInFlight).toBe(0);
		expect(startAll(budget, NOW)).toBe(5);
	});

	it('lets a later window replace the current one, its limit included', () => {
		const budget = learned({ limit: 20, remaining: 2, resetAtMs: T });
		expect(startAll(budget, T)).toBe(2);
		budget.onSettled({ limit: 50, remaining: 48, resetAtMs: T + 60_000 });
		expect(budget.requestsInFlight).toBe(1);
		expect(startAll(budget, T + 10)).toBe(47);
		// An answer from the window just replaced changes nothing.
		budget.onSettled({ limit: 20, remaining: 0, resetAtMs: T });
		expect(startAll(budget, T + 10)).toBe(1);
	});

	it('allows fewer starts when another client spends the same token', () => {
		const alone = learned({ limit: 20, remaining: 19, resetAtMs: T });
		const shared = learned({ limit: 20, remaining: 19, resetAtMs: T });
		expect(startAll(alone, NOW, 4)).toBe(4);
		expect(startAll(shared, NOW, 4)).toBe(4);
		// Alone, the server counted our 4; shared, 10 more from someone else.
		alone.onSettled({ limit: 20, remaining: 15, resetAtMs: T });
		shared.onSettled({ limit: 20, remaining: 5, resetAtMs: T });
		expect(startAll(alone, NOW)).toBe(12);
		// Shared: others spent 10 to our 5, so our share of the 5 left is 6/16 of 5 (1), and 3
		// of ours are still in flight: nothing more goes until they are answered.
		expect(startAll(shared, NOW)).toBe(0);
		expectWait(shared.decide(NOW), undefined);
		for (let i = 0; i < 3; i++) shared.onSettled({ limit: 20, remaining: 2, resetAtMs: T });
		// Answered (ours were counted, no one else spent): 9/19 of 2 rounds down to 0, but the
		// others have been quiet between our last two answers, so one goes at a time.
		expect(startAll(shared, NOW)).toBe(0);
		expect(shared.requestsInFlight).toBe(0);
	});

	it('sizes its burst to its share of what remains when the others spent part of the window', () => {
		// Last window, ours 20 and others 20; this one: our probe, and 9 of theirs.
		const budget = new RateBudget(NO_TAIL, NO_RAMP);
		for (let i = 0; i < 20; i++) budget.onStart(NOW);
		for (let i = 0; i < 20; i++) budget.onSettled({ limit: 40, remaining: 0, resetAtMs: T });
		const next = T + 60_000;
		expect(budget.decide(T + RESET_MARGIN_MS)).toEqual({ go: true });
		budget.onStart(T + RESET_MARGIN_MS);
		budget.onSettled({ limit: 40, remaining: 30, resetAtMs: next });
		// Ours 21, others 29 over the two windows: a share of 22/51 of the 30 left (12), half of
		// it at once while others are on the token.
		expect(startAll(budget, T + 100)).toBe(6);
		// Our 6 counted, and 10 more of theirs: 14 left, and our share is now 28/67 of them (5),
		// half of it at once.
		for (let i = 0; i < 6; i++) budget.onSettled({ limit: 40, remaining: 14, resetAtMs: next });
		expect(startAll(budget, T + 200)).toBe(2);
	});

	it('takes the whole window again once the others stop spending', () => {
		const budget = new RateBudget(NO_TAIL, NO_RAMP);
		budget.onStart(NOW);
		budget.onSettled({ limit: 20, remaining: 10, resetAtMs: T });
		// 9 of the 10 used were someone else's, who then stops: we spend the rest, in bursts that
		// grow with our part of the spending, and one at a time once the others were seen quiet.
		let remaining = 10;
		let rounds = 0;
		while (remaining > 0) {
			const started = startAll(budget, NOW);
			expect(started).toBeGreaterThan(0);
			expect(started).toBeLessThanOrEqual(remaining);
			for (let i = 0; i < started; i++)
				budget.onSettled({ limit: 20, remaining: --remaining, resetAtMs: T });
			rounds++;
		}
		expect(rounds).toBeGreaterThan(1);
		expectWait(budget.decide(NOW), T + RESET_MARGIN_MS - NOW);
		// The next window still counts the others' 9 of the last one: a share of it, halved, goes
		// at once; a window later, with no one else in the history, all of it.
		const next = (window: number) => T + window * 60_000;
		budget.onStart(T + RESET_MARGIN_MS);
		budget.onSettled({ limit: 20, remaining: 19, resetAtMs: next(1) });
		const burst = startAll(budget, T + 100);
		expect(burst).toBeGreaterThan(1);
		expect(burst).toBeLessThan(19 / 2);
		remaining = 19 - burst;
		for (let i = 0; i < burst; i++) budget.onSettled({ limit: 20, remaining, resetAtMs: next(1) });
		while (remaining > 0) {
			const started = startAll(budget, T + 200);
			expect(started).toBeGreaterThan(0);
			for (let i = 0; i < started; i++)
				budget.onSettled({ limit: 20, remaining: --remaining, resetAtMs: next(1) });
		}
		budget.onStart(next(1) + RESET_MARGIN_MS);
		budget.onSettled({ limit: 20, remaining: 19, resetAtMs: next(2) });
		expect(startAll(budget, next(1) + 100)).toBe(19);
	});

	it('waits for the reset when another client has spent the window', () => {
		const budget = learned({ limit: 20, remaining: 19, resetAtMs: T });
		expect(startAll(budget, NOW, 1)).toBe(1);
		budget.onSettled({ limit: 20, remaining: 0, resetAtMs: T });
		expectWait(budget.decide(NOW + 5), T + RESET_MARGIN_MS - NOW - 5);
	});

	it('assumes 100 per 60 s when the API never sends the headers', () => {
		const t0 = NOW + 123;
		const budget = new RateBudget(NO_TAIL, NO_RAMP);
		expect(budget.decide(t0)).toEqual({ go: true });
		budget.onStart(t0);
		expectWait(budget.decide(t0), undefined);
		budget.onSettled(undefined);
		// The probe counts: 99 more in its minute, whether they are answered or not.
		expect(startAll(budget, t0 + 1_000, 50)).toBe(50);
		for (let i = 0; i < 50; i++) budget.onSettled(undefined);
		expect(startAll(budget, t0 + 2_000)).toBe(ASSUMED_LIMIT - 51);
		const decision = budget.decide(t0 + 2_000);
		expectWait(decision, t0 + ASSUMED_WINDOW_MS - (t0 + 2_000));
		expect(!decision.go && decision.why).toMatch(/100/);
		expectWait(budget.decide(t0 + ASSUMED_WINDOW_MS - 1), 1);
		expect(startAll(budget, t0 + ASSUMED_WINDOW_MS)).toBe(ASSUMED_LIMIT);
		expectWait(budget.decide(t0 + ASSUMED_WINDOW_MS + 1), ASSUMED_WINDOW_MS - 1);
	});

	it('counts a request that got no answer at all as an answer without headers', () => {
		const budget = new RateBudget(NO_TAIL, NO_RAMP);
		budget.onStart(NOW);
		budget.onSettled(undefined);
		expect(startAll(budget, NOW)).toBe(ASSUMED_LIMIT - 1);
	});

	it('pauses all starts until pauseUntil, then the normal rules apply', () => {
		const budget = learned({ limit: 20, remaining: 19, resetAtMs: T });
		budget.pauseUntil(NOW + 5_000);
		expectWait(budget.decide(NOW), 5_000);
		expectWait(budget.decide(NOW + 4_999), 1);
		// A shorter pause does not shorten the current one.
		budget.pauseUntil(NOW + 1_000);
		expectWait(budget.decide(NOW + 2_000), 3_000);
		expect(startAll(budget, NOW + 5_000)).toBe(19);
		expectWait(budget.decide(NOW + 5_000), undefined);
	});

	it('pauses the first request too', () => {
		const budget = new RateBudget(NO_TAIL, NO_RAMP);
		budget.pauseUntil(NOW + 1_500);
		expectWait(budget.decide(NOW), 1_500);
		expect(budget.decide(NOW + 1_500)).toEqual({ go: true });
	});

	it('pauses past the reset: the window is forgotten after the pause', () => {
		const budget = learned({ limit: 20, remaining: 0, resetAtMs: T });
		budget.pauseUntil(T + 10_000);
		expectWait(budget.decide(T), 10_000);
		expect(budget.decide(T + 10_000)).toEqual({ go: true });
		budget.onStart(T + 10_000);
		expectWait(budget.decide(T + 10_000), undefined);
	});

	it('frees a slot on onAbandoned without counting an answer', () => {
		const fresh = new RateBudget(NO_TAIL, NO_RAMP);
		fresh.onStart(NOW);
		fresh.onAbandoned();
		expect(fresh.requestsInFlight).toBe(0);
		// Still no answer: the next request goes alone again.
		expect(fresh.decide(NOW)).toEqual({ go: true });
		fresh.onStart(NOW);
		expectWait(fresh.decide(NOW), undefined);

		const budget = learned({ limit: 20, remaining: 3, resetAtMs: T });
		expect(startAll(budget, NOW)).toBe(3);
		budget.onAbandoned();
		expect(budget.requestsInFlight).toBe(2);
		expect(startAll(budget, NOW)).toBe(1);
	});

	it('never counts fewer than 0 in flight', () => {
		const budget = new RateBudget(NO_TAIL, NO_RAMP);
		budget.onAbandoned();
		budget.onSettled(undefined);
		expect(budget.requestsInFlight).toBe(0);
		budget.onStart(NOW);
		expect(budget.requestsInFlight).toBe(1);
	});
});

/**
 * A fixed-window server: windows of `windowMs`, aligned to multiples of it; a request counts in
 * the window of its arrival. It accepts while fewer than `limit` were counted in the window
 * (other consumers' included), else 429; a refused request counts too unless `countsRefused` is
 * false (as in the project's emulator).
 */
class FixedWindowServer {
	readonly counts = new Map<number, number>();
	readonly own = new Map<number, number>();
	constructor(
		readonly limit: number,
		readonly windowMs: number,
		readonly countsRefused = true,
	) {}

	windowOf(t: number): number {
		return Math.floor(t / this.windowMs);
	}

	arrive(t: number, own: boolean): boolean {
		const w = this.windowOf(t);
		const count = this.counts.get(w) ?? 0;
		const accepted = count < this.limit;
		if (accepted || this.countsRefused) this.counts.set(w, count + 1);
		if (own) this.own.set(w, (this.own.get(w) ?? 0) + 1);
		return accepted;
	}

	headers(t: number): Record<string, string> {
		const w = this.windowOf(t);
		const remaining = Math.max(0, this.limit - (this.counts.get(w) ?? 0));
		return rateHeaders(this.limit, remaining, ((w + 1) * this.windowMs) / 1000);
	}
}

type SimEvent =
	| { kind: 'start' }
	| { kind: 'answer'; pick: number }
	| { kind: 'answerAll' }
	| { kind: 'advance'; ms: number }
	| { kind: 'toWindowEdge'; deltaMs: number }
	| { kind: 'waitAsTold' }
	| { kind: 'other'; count: number };

interface SimCase {
	limit: number;
	windowSeconds: number;
	/** Headers as counted when the request arrived, or when its answer leaves (later, lower). */
	headersAtArrival: boolean;
	requests: number;
	startOffsetMs: number;
	events: SimEvent[];
}

interface InFlight {
	accepted: boolean;
	arrivalHeaders: Record<string, string>;
}

describe('RateBudget: the end of a window goes one request at a time', () => {
	const T = NOW + 60_000;
	const window = (remaining: number): RateLimitSnapshot => ({ limit: 20, remaining, resetAtMs: T });
	const TAIL = 0.2;
	const NO_RAMP = false;

	it('lets all but the last fifth go at once, then one at a time', () => {
		const budget = new RateBudget(TAIL, NO_RAMP);
		budget.onStart(NOW);
		budget.onSettled(window(19));
		// 20 per window: the last 4 are the tail, so 15 may go at once, then one at a time.
		expect(startAll(budget, NOW)).toBe(15);
		for (let i = 0; i < 15; i++) budget.onSettled(window(4));
		expect(startAll(budget, NOW)).toBe(1);
		budget.onSettled(window(3));
		expect(startAll(budget, NOW)).toBe(1);
	});

	it('so another client spending the tail meanwhile is seen before another of ours goes', () => {
		const budget = new RateBudget(TAIL, NO_RAMP);
		// The 16 used so far were ours.
		for (let i = 0; i < 16; i++) budget.onStart(NOW);
		for (let i = 0; i < 16; i++) budget.onSettled(window(4));
		expect(startAll(budget, NOW)).toBe(1);
		// Another client took the last three while ours was in flight.
		budget.onSettled(window(0));
		expectWait(budget.decide(NOW), T + RESET_MARGIN_MS - NOW);
	});
});

interface SimResult {
	own429s: number;
	ownPerWindow: number[];
	sent: number;
	endMs: number;
}

/** A cheap assertion for the simulation's inner loops (expect() there costs seconds). */
function check(condition: boolean, message: string): void {
	if (!condition) throw new Error(message);
}

/** Drives a RateBudget as limiter.ts and joinRunner.ts do, against the server; checks liveness throughout. */
function simulate(c: SimCase): SimResult {
	const server = new FixedWindowServer(c.limit, c.windowSeconds * 1000);
	const budget = new RateBudget();
	const inFlight: InFlight[] = [];
	let now = NOW + c.startOffsetMs;
	let pending = c.requests;
	let sent = 0;
	let own429s = 0;

	const startWhatIsAllowed = () => {
		while (pending > 0 && budget.decide(now).go) {
			budget.onStart(now);
			const accepted = server.arrive(now, true);
			inFlight.push({ accepted, arrivalHeaders: server.headers(now) });
			pending--;
			sent++;
		}
	};
	const answer = (index: number) => {
		const [request] = inFlight.splice(index, 1);
		const headers = c.headersAtArrival ? request.arrivalHeaders : server.headers(now);
		const raw = http(
			request.accepted ? 200 : 429,
			request.accepted ? JOINED : '{"success":false}',
			headers,
		);
		budget.onSettled(readRateLimitHeaders(headers));
		if (!request.accepted) {
			own429s++;
			const decision = retryDecision(raw, transientOf(raw), 1, POLICY, now, half);
			check(decision.retry, 'a 429 is retried');
			if (decision.retry && decision.rateLimited) {
				// As tokenLimiter.pauseUntil does.
				budget.onRejected();
				budget.pauseUntil(now + decision.waitMs);
			}
			pending++;
		}
	};
	/** Never stuck: it goes, or says how long to wait, or waits for an answer that will come. */
	const checkLive = () => {
		check(
			budget.requestsInFlight === inFlight.length,
			`in flight: budget ${budget.requestsInFlight}, really ${inFlight.length}`,
		);
		if (pending === 0) return;
		const decision = budget.decide(now);
		if (decision.go) return;
		if (decision.waitMs === undefined) {
			check(inFlight.length > 0, `at ${now - NOW} ms: waits for an answer, none in flight`);
		} else {
			check(
				Number.isFinite(decision.waitMs) && decision.waitMs > 0,
				`at ${now - NOW} ms: waits ${decision.waitMs} ms`,
			);
		}
	};

	for (const event of c.events) {
		switch (event.kind) {
			case 'start':
				startWhatIsAllowed();
				break;
			case 'answer':
				if (inFlight.length > 0) answer(event.pick % inFlight.length);
				break;
			case 'answerAll':
				while (inFlight.length > 0) answer(0);
				break;
			case 'advance':
				now += event.ms;
				break;
			case 'toWindowEdge': {
				const edge = (Math.floor(now / server.windowMs) + 1) * server.windowMs + event.deltaMs;
				now = Math.max(now, edge);
				break;
			}
			case 'waitAsTold': {
				const decision = budget.decide(now);
				if (!decision.go && decision.waitMs !== undefined) now += decision.waitMs;
				break;
			}
			case 'other':
				for (let i = 0; i < event.count; i++) server.arrive(now, false);
				break;
		}
		checkLive();
	}

	// Drain: answer everything, then send the rest as told, answering at once.
	for (let steps = 0; pending > 0 || inFlight.length > 0; steps++) {
		check(steps < 100_000, 'the drain ends');
		startWhatIsAllowed();
		checkLive();
		if (inFlight.length > 0) {
			answer(inFlight.length - 1);
			continue;
		}
		const decision = budget.decide(now);
		if (!decision.go) {
			check(decision.waitMs !== undefined, 'nothing in flight: a wait is given');
			now += decision.waitMs ?? 0;
		}
	}
	expect(sent).toBe(c.requests + own429s);
	return { own429s, ownPerWindow: [...server.own.values()], sent, endMs: now };
}

describe('RateBudget against a fixed-window server', () => {
	it('spends each window whole, without a 429 (100 per minute, answers at once)', () => {
		const result = simulate({
			limit: 100,
			windowSeconds: 60,
			headersAtArrival: false,
			requests: 1_000,
			startOffsetMs: 17_000,
			events: [],
		});
		expect(result.own429s).toBe(0);
		expect(Math.max(...result.ownPerWindow)).toBe(100);
		// 1000 requests, 100 a window: the first (partial) window and 9 more, none wasted.
		expect(result.ownPerWindow.filter((n) => n === 100).length).toBeGreaterThanOrEqual(9);
		expect(result.endMs).toBeLessThan(NOW + 11 * 60_000);
	});

	it('spends each window whole when the answers come late, in any order', () => {
		const events: SimEvent[] = [];
		for (let i = 0; i < 400; i++) {
			events.push(
				{ kind: 'start' },
				{ kind: 'advance', ms: 700 },
				{ kind: 'answer', pick: (i * 7919) % 13 },
			);
			if (i % 5 === 0) events.push({ kind: 'answer', pick: i });
		}
		const result = simulate({
			limit: 20,
			windowSeconds: 10,
			headersAtArrival: false,
			requests: 300,
			startOffsetMs: 4_321,
			events,
		});
		expect(result.own429s).toBe(0);
		expect(Math.max(...result.ownPerWindow)).toBeLessThanOrEqual(20);
	});

	it('sees another consumer empty the window while ramping up: no 429, everything sent', () => {
		const events: SimEvent[] = [
			{ kind: 'start' },
			{ kind: 'answer', pick: 0 },
			{ kind: 'other', count: 15 },
			{ kind: 'start' },
		];
		for (let i = 0; i < 30; i++) events.push({ kind: 'answer', pick: 0 }, { kind: 'start' });
		const result = simulate({
			limit: 20,
			windowSeconds: 60,
			headersAtArrival: false,
			requests: 50,
			startOffsetMs: 0,
			events,
		});
		expect(result.own429s).toBe(0);
		expect(result.sent).toBe(50);
	});

	const simEvent = (
		windowMs: number,
		limit: number,
		withOthers: boolean,
	): fc.Arbitrary<SimEvent> => {
		const others = {
			arbitrary: fc
				.integer({ min: 1, max: limit })
				.map((count): SimEvent => ({ kind: 'other', count })),
			weight: 1,
		};
		return fc.oneof(
			{ arbitrary: fc.constant<SimEvent>({ kind: 'start' }), weight: 6 },
			{
				arbitrary: fc.nat({ max: 1_000 }).map((pick): SimEvent => ({ kind: 'answer', pick })),
				weight: 6,
			},
			{ arbitrary: fc.constant<SimEvent>({ kind: 'answerAll' }), weight: 1 },
			{
				arbitrary: fc
					.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 2 * windowMs }))
					.map((ms): SimEvent => ({ kind: 'advance', ms })),
				weight: 4,
			},
			{
				arbitrary: fc
					.integer({ min: -2 * RESET_MARGIN_MS, max: 2 * RESET_MARGIN_MS })
					.map((deltaMs): SimEvent => ({ kind: 'toWindowEdge', deltaMs })),
				weight: 2,
			},
			{ arbitrary: fc.constant<SimEvent>({ kind: 'waitAsTold' }), weight: 2 },
			...(withOthers ? [others] : []),
		);
	};

	const simCase = (withOthers: boolean): fc.Arbitrary<SimCase> =>
		fc
			.record({
				limit: fc.integer({ min: 1, max: 50 }),
				windowSeconds: fc.integer({ min: 1, max: 60 }),
			})
			.chain(({ limit, windowSeconds }) =>
				fc.record({
					limit: fc.constant(limit),
					windowSeconds: fc.constant(windowSeconds),
					headersAtArrival: fc.boolean(),
					requests: fc.integer({ min: 1, max: 200 }),
					startOffsetMs: fc.nat({ max: 2 * windowSeconds * 1000 }),
					events: fc.array(simEvent(windowSeconds * 1000, limit, withOthers), { maxLength: 500 }),
				}),
			);

	it('property: alone on the token, never more than the limit in a window (no 429), never stuck', () => {
		fc.assert(
			fc.property(simCase(false), (c) => {
				const result = simulate(c);
				expect(result.own429s).toBe(0);
				for (const count of result.ownPerWindow) expect(count).toBeLessThanOrEqual(c.limit);
			}),
			{ numRuns: 200 },
		);
	});

	it('property: with other consumers on the token, never stuck and everything is sent', () => {
		fc.assert(
			fc.property(simCase(true), (c) => {
				const result = simulate(c);
				expect(result.sent).toBe(c.requests + result.own429s);
			}),
			{ numRuns: 200 },
		);
	});
});

/**
 * Several processes (n8n queue-mode workers), each with its own RateBudget, sharing one token
 * on one fixed-window server that counts only what it accepts, as the emulator does. Each
 * process runs its items as runOperation does: at most `concurrency` at a time, a start when its
 * budget allows, a 429 retried after retryDecision's wait with the budget paused meanwhile.
 * Requests take a seeded random latency each way; time is simulated, events run in time order.
 */
interface ProcessesCase {
	processes: number;
	itemsEach: number;
	limit: number;
	windowMs: number;
	concurrency: number;
	/** Each way, per request: uniformly within [min, max] ms. */
	latencyMs: { min: number; max: number };
	/** When each process starts, after the first. */
	startOffsetsMs: number[];
	/** Another client (not adapting) that spends this many at the start of every window. */
	otherPerWindow: number;
	seed: number;
}

interface ProcessesResult {
	requests: number;
	rejected: number;
	/** Items that ended on Error (rate_limited: tries or waits ran out). */
	failed: number;
	joined: number;
	/** Accepted requests of ours per window, from the first window to the last. */
	ownPerWindow: number[];
}

function xorshift(seed: number): () => number {
	let state = seed >>> 0 || 1;
	return () => {
		state ^= state << 13;
		state >>>= 0;
		state ^= state >>> 17;
		state ^= state << 5;
		state >>>= 0;
		return state / 2 ** 32;
	};
}

function simulateProcesses(c: ProcessesCase): ProcessesResult {
	const server = new FixedWindowServer(c.limit, c.windowMs, false);
	const random = xorshift(c.seed);
	const latency = () => c.latencyMs.min + random() * (c.latencyMs.max - c.latencyMs.min);
	const events: Array<{ t: number; seq: number; run: () => void }> = [];
	let seq = 0;
	const at = (t: number, run: () => void) => {
		// Insertion keeps the queue sorted by time, then by scheduling order.
		let i = events.length;
		events.push({ t, seq: seq++, run });
		const event = events[i];
		while (i > 0 && events[i - 1].t > t) {
			events[i] = events[i - 1];
			i--;
		}
		events[i] = event;
	};
	let now = 0;
	const policy: RetryPolicy = { maxTries: 5, baseDelayMs: 1_000, maxDelayMs: 300_000 };
	const result: ProcessesResult = {
		requests: 0,
		rejected: 0,
		failed: 0,
		joined: 0,
		ownPerWindow: [],
	};
	const start = (Math.floor(NOW / c.windowMs) + 1) * c.windowMs + 7;

	for (let p = 0; p < c.processes; p++) {
		const budget = new RateBudget();
		const queue: number[] = Array.from({ length: c.itemsEach }, () => 0); // tries so far
		let active = 0;
		let wakeAt = Infinity;
		const pump = () => {
			while (queue.length > 0 && active < c.concurrency) {
				const decision = budget.decide(now);
				if (!decision.go) {
					check(
						decision.waitMs !== undefined || budget.requestsInFlight > 0,
						'waits for an answer with none in flight',
					);
					if (decision.waitMs !== undefined && now + decision.waitMs < wakeAt) {
						const t = (wakeAt = now + decision.waitMs);
						at(t, () => {
							if (wakeAt !== t) return;
							wakeAt = Infinity;
							pump();
						});
					}
					return;
				}
				budget.onStart(now);
				const tries = (queue.shift() as number) + 1;
				active++;
				result.requests++;
				at(now + latency(), () => {
					const accepted = server.arrive(now, true);
					const headers = server.headers(now);
					at(now + latency(), () => {
						budget.onSettled(readRateLimitHeaders(headers));
						if (accepted) {
							result.joined++;
							active--;
						} else {
							result.rejected++;
							const answer = http(429, '{"success":false}', headers);
							const decision = retryDecision(
								answer,
								transientOf(answer),
								tries,
								policy,
								now,
								random,
							);
							if (!decision.retry) {
								result.failed++;
								active--;
							} else {
								budget.onRejected();
								budget.pauseUntil(now + decision.waitMs);
								// The item keeps its worker while it waits, as in runOperation.
								at(now + decision.waitMs, () => {
									active--;
									queue.unshift(tries);
									pump();
								});
							}
						}
						pump();
					});
				});
			}
		};
		at(start + (p === 0 ? 0 : (c.startOffsetsMs[p - 1] ?? 0)), pump);
	}
	const total = c.processes * c.itemsEach;
	for (let w = 0; c.otherPerWindow > 0 && w < 1_000; w++) {
		at((server.windowOf(start) + w) * c.windowMs + 3, () => {
			for (let i = 0; i < c.otherPerWindow; i++) server.arrive(now, false);
		});
	}
	let steps = 0;
	while (events.length > 0 && result.joined + result.failed < total) {
		const event = events.shift() as (typeof events)[number];
		now = event.t;
		event.run();
		check(++steps < 1_000_000, 'the simulation ends');
	}
	check(result.joined + result.failed === total, 'every item ends, none stuck');
	const windows = [...server.own.keys()];
	for (let w = Math.min(...windows); w <= Math.max(...windows); w++) {
		// Our accepted requests: the server's count less the other client's.
		result.ownPerWindow.push((server.counts.get(w) ?? 0) - Math.min(c.otherPerWindow, c.limit));
	}
	return result;
}

/** Our accepted requests per window ÷ what was ours to take, over the windows between the first and the last. */
function windowUse(result: ProcessesResult, c: ProcessesCase): number {
	const middle = result.ownPerWindow.slice(1, -1);
	return middle.reduce((a, b) => a + b, 0) / middle.length / (c.limit - c.otherPerWindow);
}

describe('RateBudget: several processes on one token, from the headers alone', () => {
	const base: ProcessesCase = {
		processes: 1,
		itemsEach: 0,
		limit: 40,
		windowMs: 4_000,
		concurrency: 16,
		latencyMs: { min: 1, max: 5 },
		startOffsetsMs: [3, 11, 17],
		otherPerWindow: 0,
		seed: 1,
	};
	/** Eight and a half windows' worth of joins, split between the processes. */
	const sized = (c: Partial<ProcessesCase>): ProcessesCase => {
		const merged = { ...base, ...c };
		const ours = merged.limit - merged.otherPerWindow;
		return { ...merged, itemsEach: Math.round((ours * 8.5) / merged.processes) };
	};

	it.each([
		[1, 0],
		[2, 0],
		[4, 0],
		[1, 16],
		[2, 16],
	])(
		'%i process(es), another client spending %i of 40 a window: at most 2%% 429s, no item lost or on Error, windows used ≥ 0.95 alone, ≥ 0.9 shared',
		(processes, otherPerWindow) => {
			for (let seed = 1; seed <= 10; seed++) {
				const c = sized({ processes, otherPerWindow, seed });
				const result = simulateProcesses(c);
				expect(result.joined).toBe(processes * c.itemsEach);
				expect(result.failed).toBe(0);
				if (processes === 1 && otherPerWindow === 0) expect(result.rejected).toBe(0);
				expect(result.rejected / result.requests).toBeLessThanOrEqual(0.02);
				expect(windowUse(result, c)).toBeGreaterThanOrEqual(processes === 1 ? 0.95 : 0.9);
			}
		},
	);

	it('property: any number of processes, limits, concurrency, latencies and start times: every item joins, none stuck, at most one 429 per other process and window', () => {
		fc.assert(
			fc.property(
				fc.record({
					processes: fc.integer({ min: 1, max: 6 }),
					limit: fc.integer({ min: 10, max: 100 }),
					windowSeconds: fc.integer({ min: 1, max: 60 }),
					concurrency: fc.integer({ min: 1, max: 32 }),
					maxLatency: fc.integer({ min: 1, max: 400 }),
					startOffsetsMs: fc.array(fc.nat({ max: 5_000 }), { minLength: 5, maxLength: 5 }),
					windows: fc.integer({ min: 1, max: 6 }),
					seed: fc.integer({ min: 1, max: 1_000_000 }),
				}),
				(r) => {
					const c: ProcessesCase = {
						...base,
						processes: r.processes,
						limit: r.limit,
						windowMs: r.windowSeconds * 1_000,
						concurrency: r.concurrency,
						latencyMs: { min: 1, max: Math.min(r.maxLatency, (r.windowSeconds * 1_000) / 10) },
						startOffsetsMs: r.startOffsetsMs,
						itemsEach: Math.ceil((r.limit * r.windows) / r.processes),
						seed: r.seed,
					};
					const result = simulateProcesses(c);
					expect(result.joined + result.failed).toBe(c.processes * c.itemsEach);
					if (c.processes === 1) expect(result.rejected).toBe(0);
					// A 429 is a race lost at the end of a window (or a late process's first
					// request): at most one per other process and window, and no item runs out of tries.
					expect(result.rejected).toBeLessThanOrEqual(
						(c.processes - 1) * result.ownPerWindow.length,
					);
					expect(result.failed).toBe(0);
				},
			),
			{ numRuns: 200 },
		);
	});
});
