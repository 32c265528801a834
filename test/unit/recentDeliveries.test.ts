/** trigger/recentDeliveries.ts: a redelivery within the window starts nothing. */
import fc from 'fast-check';

import {
	DEDUPE_MAX_KEYS,
	DEDUPE_WINDOW_MS,
	RecentDeliveries,
} from '../../nodes/RyzeApi/trigger/recentDeliveries';

function withClock(windowMs?: number, maxKeys?: number) {
	const clock = { now: 1_000_000 };
	const recent = new RecentDeliveries(() => clock.now, windowMs, maxKeys);
	return { clock, recent };
}

describe('RecentDeliveries', () => {
	it('defaults to 10 minutes and 10,000 keys', () => {
		expect(DEDUPE_WINDOW_MS).toBe(600_000);
		expect(DEDUPE_MAX_KEYS).toBe(10_000);
	});

	it('lets an event through once within the window, and again after it', () => {
		const { clock, recent } = withClock();
		expect(recent.isDuplicate('a')).toBe(false);
		clock.now += DEDUPE_WINDOW_MS - 1;
		expect(recent.isDuplicate('a')).toBe(true);
		clock.now += 1;
		expect(recent.isDuplicate('a')).toBe(false);
		expect(recent.isDuplicate('a')).toBe(true);
	});

	it('counts the window from the first delivery, not from the duplicates', () => {
		const { clock, recent } = withClock(100);
		recent.isDuplicate('a');
		clock.now += 60;
		expect(recent.isDuplicate('a')).toBe(true);
		clock.now += 40;
		expect(recent.isDuplicate('a')).toBe(false);
	});

	it('forgets expired keys, and the oldest past the bound', () => {
		const { clock, recent } = withClock(100, 3);
		for (const key of ['a', 'b', 'c', 'd']) recent.isDuplicate(key);
		expect(recent.size).toBe(3);
		expect(recent.isDuplicate('a')).toBe(false);
		expect(recent.isDuplicate('d')).toBe(true);
		clock.now += 100;
		recent.isDuplicate('e');
		expect(recent.size).toBe(1);
	});

	it('property: distinct events all pass, repeats within the window never, the bound holds', () => {
		fc.assert(
			fc.property(
				fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 40 })), {
					maxLength: 200,
				}),
				fc.integer({ min: 1, max: 20 }),
				(deliveries, maxKeys) => {
					const { clock, recent } = withClock(100, maxKeys);
					const firstPass = new Map<string, number>();
					for (const [key, wait] of deliveries) {
						clock.now += wait;
						const duplicate = recent.isDuplicate(key);
						const passedAt = firstPass.get(key);
						if (passedAt === undefined || clock.now - passedAt >= 100) {
							expect(duplicate).toBe(false);
						}
						if (!duplicate) firstPass.set(key, clock.now);
						expect(recent.size).toBeLessThanOrEqual(maxKeys);
					}
				},
			),
			{ numRuns: 500, seed: 20250119 },
		);
	});

	it('property: without eviction, a repeat within the window is always a duplicate', () => {
		fc.assert(
			fc.property(fc.array(fc.tuple(fc.string({ maxLength: 2 }), fc.nat(30))), (deliveries) => {
				const { clock, recent } = withClock(100, 1_000);
				const firstPass = new Map<string, number>();
				for (const [key, wait] of deliveries) {
					clock.now += wait;
					const passedAt = firstPass.get(key);
					const expected = passedAt !== undefined && clock.now - passedAt < 100;
					expect(recent.isDuplicate(key)).toBe(expected);
					if (!expected) firstPass.set(key, clock.now);
				}
			}),
			{ numRuns: 500, seed: 20250120 },
		);
	});
});
