/**
 * The provider's rate-limit headers (X-RateLimit-Limit, -Remaining, -Reset) as the budget reads
 * them (readRateLimitHeaders), and a 429's Retry-After (parseRetryAfter), on a fixed clock.
 */
import fc from 'fast-check';

import { parseRetryAfter, readRateLimitHeaders } from '../../nodes/RyzeApi/shared/rateLimitHeaders';
import { NOW, NOW_S, rateHeaders } from '../support/fakeAnswers';

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
