/**
 * rateFigures: what the queue-mode harness prints from the emulator's log (requests and 429s per
 * window, most tries, efficiency against the fastest legal finish), on hand-made logs.
 */
import fc from 'fast-check';

import type { LoggedJoin } from '../support/rateFigures';
import {
	countPerWindow,
	fastestLegalFinishMs,
	formatRateFigures,
	rateFigures,
} from '../support/rateFigures';

/** 2026-01-01T00:00:00Z, a multiple of every window length used here. */
const T0 = 1_767_225_600_000;

const join = (at: number, identifier: string, status = 200): LoggedJoin => ({
	at: T0 + at,
	identifier,
	status,
});

describe('fastestLegalFinishMs', () => {
	test.each([
		// accepted, first request at (ms into its window), expected
		[1, 0, 0],
		[40, 5_000, 0], // one window's worth fits in the first window
		[41, 0, 20_000], // the 41st waits for the second window
		[41, 5_000, 15_000],
		[80, 5_000, 15_000],
		[81, 5_000, 35_000],
		[320, 3_000, 7 * 20_000 - 3_000],
	])('%d accepted, first at +%d ms: %d ms', (accepted, offset, expected) => {
		expect(fastestLegalFinishMs(T0 + offset, accepted, 40, 20_000)).toBe(expected);
	});
});

describe('rateFigures', () => {
	test('no requests: zeros, efficiency 1', () => {
		expect(rateFigures([], 40, 20_000)).toEqual({
			requests: 0,
			rateLimited: 0,
			rateLimitedRatio: 0,
			mostTries: 0,
			windows: [],
			mostRequestsInWindow: 0,
			actualMs: 0,
			fastestLegalMs: 0,
			efficiency: 1,
		});
	});

	test('429s, retries and windows are counted from the log, in any order', () => {
		const log = [
			join(21_000, 'OpenB'), // the retry of B, in the next window
			join(1_000, 'OpenA'),
			join(1_100, 'OpenB', 429),
			join(1_200, 'OpenC', 429),
			join(41_500, 'OpenC'), // a window with nothing in between
		];
		const figures = rateFigures(log, 1, 20_000);
		expect(figures).toMatchObject({
			requests: 5,
			rateLimited: 2,
			rateLimitedRatio: 0.4,
			mostTries: 2,
			mostRequestsInWindow: 3,
			windows: [
				{ startMs: T0, requests: 3, rateLimited: 2 },
				{ startMs: T0 + 20_000, requests: 1, rateLimited: 0 },
				{ startMs: T0 + 40_000, requests: 1, rateLimited: 0 },
			],
			actualMs: 40_500,
			// 3 accepted at 1 per window, first at +1 s: the third at the third window's start.
			fastestLegalMs: 39_000,
		});
		expect(figures.efficiency).toBeCloseTo(39_000 / 40_500);
	});

	test("measured over the run's own span when given: time around the requests counts too", () => {
		const log = [join(1_000, 'OpenA'), join(1_100, 'OpenB'), join(20_100, 'OpenC')];
		const figures = rateFigures(log, 2, 20_000, { fromMs: T0 + 500, toMs: T0 + 21_000 });
		expect(figures).toMatchObject({ actualMs: 20_500, fastestLegalMs: 19_500 });
		expect(figures.efficiency).toBeCloseTo(19_500 / 20_500);
	});

	test('a run as fast as the limit allows has efficiency 1', () => {
		const log = [join(500, 'OpenA'), join(600, 'OpenB'), join(20_000, 'OpenC')];
		expect(rateFigures(log, 2, 20_000).efficiency).toBe(1);
	});

	test('property: windows add up to the totals; ratio and efficiency stay within 0..1', () => {
		fc.assert(
			fc.property(
				fc.array(
					fc.record({
						at: fc.integer({ min: 0, max: 200_000 }),
						code: fc.integer({ min: 0, max: 30 }),
						limited: fc.boolean(),
					}),
					{ maxLength: 200 },
				),
				fc.integer({ min: 1, max: 50 }),
				fc.integer({ min: 1, max: 30_000 }),
				(entries, limit, windowMs) => {
					const log = entries.map((entry) =>
						join(entry.at, `Open${entry.code}`, entry.limited ? 429 : 200),
					);
					const figures = rateFigures(log, limit, windowMs);
					const sum = (key: 'requests' | 'rateLimited') =>
						figures.windows.reduce((total, window) => total + window[key], 0);
					expect(sum('requests')).toBe(log.length);
					expect(sum('rateLimited')).toBe(figures.rateLimited);
					expect(figures.rateLimitedRatio).toBeGreaterThanOrEqual(0);
					expect(figures.rateLimitedRatio).toBeLessThanOrEqual(1);
					expect(figures.efficiency).toBeGreaterThanOrEqual(0);
					expect(figures.efficiency).toBeLessThanOrEqual(1);
					expect(figures.mostTries).toBeLessThanOrEqual(log.length);
				},
			),
		);
	});

	test('printed as totals and one figure pair per window', () => {
		const text = formatRateFigures(
			'2 workers',
			rateFigures([join(0, 'OpenA'), join(10, 'OpenB', 429)], 40, 20_000),
		);
		expect(text).toContain('2 workers: 2 requests, 1 × 429 (50.0%)');
		expect(text).toContain('per window (requests / 429s): 2/1');
	});
});

describe('countPerWindow', () => {
	const log = [join(20_500, 'b', 429), join(100, 'a'), join(45_000, 'c'), join(20_100, 'b')];

	test('counts requests and 429s in every window from the first request to the last, in any order', () => {
		expect(countPerWindow(log, 20_000)).toEqual([
			{ startMs: T0, requests: 1, rateLimited: 0 },
			{ startMs: T0 + 20_000, requests: 2, rateLimited: 1 },
			{ startMs: T0 + 40_000, requests: 1, rateLimited: 0 },
		]);
		expect(countPerWindow([], 20_000)).toEqual([]);
	});

	test("with a span, counts the span's windows only, empty ones included", () => {
		expect(
			countPerWindow(log, 20_000, { fromMs: T0 + 20_000, toMs: T0 + 60_000 }).map(
				(window) => window.requests,
			),
		).toEqual([2, 1, 0]);
		expect(countPerWindow(log, 20_000, { fromMs: T0 + 40_000, toMs: T0 + 20_000 })).toEqual([]);
	});
});
