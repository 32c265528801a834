/**
 * The provider's rate-limit headers (X-RateLimit-Limit, -Remaining, -Reset) as the budget reads
 * them: readRateLimitHeaders, on a fixed clock.
 */
import fc from 'fast-check';

import { readRateLimitHeaders } from '../../nodes/RyzeApi/shared/rateLimitHeaders';
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
