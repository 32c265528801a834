/**
 * shared/expiringMap.ts, the nodes' bounded memory: an entry lives `ttlMs` from its set, never
 * more than `maxEntries` are kept (the oldest go first). And its use in
 * trigger/recentDeliveries.ts: a redelivery within the window starts nothing. On a manual clock.
 */
import fc from 'fast-check';

import { useClock } from '../../nodes/RyzeApi/shared/clock';
import { ExpiringMap } from '../../nodes/RyzeApi/shared/expiringMap';
import { isRedelivery } from '../../nodes/RyzeApi/trigger/recentDeliveries';
import type { ManualClock } from '../support/manualClock';
import { manualClock } from '../support/manualClock';

let clock: ManualClock;
beforeEach(() => {
	clock = manualClock();
	useClock(clock);
});
afterEach(() => useClock());

/** The trigger's use of it: a key not held passes, and is held from then on. */
function passes(map: ExpiringMap<string, true>, key: string): boolean {
	if (map.has(key)) return false;
	map.set(key, true);
	return true;
}

describe('ExpiringMap', () => {
	it('holds a value for ttlMs after its set, then forgets it', () => {
		const map = new ExpiringMap<string, number>(100, 10);
		expect(map.get('a')).toBeUndefined();
		expect(map.has('a')).toBe(false);
		map.set('a', 1);
		clock.advance(99);
		expect(map.get('a')).toBe(1);
		expect(map.has('a')).toBe(true);
		clock.advance(1);
		expect(map.get('a')).toBeUndefined();
		expect(map.has('a')).toBe(false);
		expect(map.size).toBe(0);
	});

	it('a set again replaces the value and counts the time from then', () => {
		const map = new ExpiringMap<string, number>(100, 10);
		map.set('a', 1);
		clock.advance(60);
		map.set('a', 2);
		clock.advance(60);
		expect(map.get('a')).toBe(2);
		expect(map.size).toBe(1);
		clock.advance(40);
		expect(map.get('a')).toBeUndefined();
	});

	it('forgets expired keys, and the oldest past the bound', () => {
		const map = new ExpiringMap<string, true>(100, 3);
		for (const key of ['a', 'b', 'c', 'd']) map.set(key, true);
		expect(map.size).toBe(3);
		expect(map.has('a')).toBe(false);
		expect(map.has('b')).toBe(true);
		expect(map.has('d')).toBe(true);
		clock.advance(100);
		map.set('e', true);
		expect(map.size).toBe(1);
	});

	it('a set again makes a key the newest: the bound evicts the others first', () => {
		const map = new ExpiringMap<string, true>(100, 2);
		map.set('a', true);
		map.set('b', true);
		map.set('a', true);
		map.set('c', true);
		expect(map.has('a')).toBe(true);
		expect(map.has('b')).toBe(false);
		expect(map.has('c')).toBe(true);
	});

	it('property: distinct keys all pass, repeats within ttlMs never, the bound holds', () => {
		fc.assert(
			fc.property(
				fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 40 })), {
					maxLength: 200,
				}),
				fc.integer({ min: 1, max: 20 }),
				(deliveries, maxEntries) => {
					clock = manualClock();
					useClock(clock);
					const map = new ExpiringMap<string, true>(100, maxEntries);
					const firstPass = new Map<string, number>();
					for (const [key, wait] of deliveries) {
						clock.advance(wait);
						const passed = passes(map, key);
						const passedAt = firstPass.get(key);
						if (passedAt === undefined || clock.now() - passedAt >= 100) {
							expect(passed).toBe(true);
						}
						if (passed) firstPass.set(key, clock.now());
						expect(map.size).toBeLessThanOrEqual(maxEntries);
					}
				},
			),
			{ numRuns: 500, seed: 20250119 },
		);
	});

	it('property: without eviction, a key is held exactly while within ttlMs of its first pass', () => {
		fc.assert(
			fc.property(fc.array(fc.tuple(fc.string({ maxLength: 2 }), fc.nat(30))), (deliveries) => {
				clock = manualClock();
				useClock(clock);
				const map = new ExpiringMap<string, true>(100, 1_000);
				const firstPass = new Map<string, number>();
				for (const [key, wait] of deliveries) {
					clock.advance(wait);
					const passedAt = firstPass.get(key);
					const held = passedAt !== undefined && clock.now() - passedAt < 100;
					expect(passes(map, key)).toBe(!held);
					if (!held) firstPass.set(key, clock.now());
				}
			}),
			{ numRuns: 500, seed: 20250120 },
		);
	});
});

describe('isRedelivery', () => {
	const TEN_MINUTES = 10 * 60_000;
	let labels = 0;
	/** A trigger of its own per test: the memory is the process's. */
	const newLabel = () => `trigger-${++labels}`;

	it('lets an event through once within 10 minutes, and again after them', () => {
		const label = newLabel();
		expect(isRedelivery(label, 'a')).toBe(false);
		clock.advance(TEN_MINUTES - 1);
		expect(isRedelivery(label, 'a')).toBe(true);
		clock.advance(1);
		expect(isRedelivery(label, 'a')).toBe(false);
		expect(isRedelivery(label, 'a')).toBe(true);
	});

	it('counts the window from the first delivery, not from the redeliveries', () => {
		const label = newLabel();
		isRedelivery(label, 'a');
		clock.advance(TEN_MINUTES * 0.6);
		expect(isRedelivery(label, 'a')).toBe(true);
		clock.advance(TEN_MINUTES * 0.4);
		expect(isRedelivery(label, 'a')).toBe(false);
	});

	it('remembers per trigger: the same event at another label is no redelivery', () => {
		const [one, other] = [newLabel(), newLabel()];
		expect(isRedelivery(one, 'a')).toBe(false);
		expect(isRedelivery(other, 'a')).toBe(false);
		expect(isRedelivery(one, 'a')).toBe(true);
		expect(isRedelivery(other, 'a')).toBe(true);
		expect(isRedelivery(one, 'b')).toBe(false);
	});

	it('remembers 10,000 events per trigger: past them the oldest are forgotten first', () => {
		const label = newLabel();
		for (let event = 0; event <= 10_000; event++) isRedelivery(label, `event-${event}`);
		expect(isRedelivery(label, 'event-10000')).toBe(true);
		expect(isRedelivery(label, 'event-1')).toBe(true);
		expect(isRedelivery(label, 'event-0')).toBe(false);
	});
});
