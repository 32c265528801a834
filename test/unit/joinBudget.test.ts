/**
 * ledger/joinBudget.ts and ledger/activeHours.ts: how many joins the budget allows now, when the
 * next one may go, and Active Hours in a time zone (summer time included).
 */
import fc from 'fast-check';

import { isActive, nextActiveAt, readActiveHours } from '../../nodes/RyzeApi/ledger/activeHours';
import type { JoinBudgetRules } from '../../nodes/RyzeApi/ledger/joinBudget';
import {
	joinsAllowedNow,
	nextJoinAt,
	withJoins,
	withoutJoin,
} from '../../nodes/RyzeApi/ledger/joinBudget';
import type { InstanceState } from '../../nodes/RyzeApi/ledger/records';
import { DAY_MS, emptyState, HOUR_MS } from '../../nodes/RyzeApi/ledger/records';

const NOON_UTC = Date.UTC(2026, 5, 10, 12, 0, 0);
const noCaps: JoinBudgetRules = { maxPerHour: 0, maxPerDay: 0 };

/** A state with one join at each of `times` (an entry each: how the product groups them is its own). */
function stateWith(times: number[], pause: InstanceState['pause'] = null): InstanceState {
	const joinCounts = [...times].sort((a, b) => a - b).map((time): [number, number] => [time, 1]);
	return { ...emptyState(), joinCounts, pause };
}

function hours(from: string, to: string, timeZone = 'UTC') {
	const read = readActiveHours(from, to, timeZone);
	if (!read.ok) throw new Error(read.message);
	return read.value;
}

describe('joinsAllowedNow', () => {
	it('allows what both caps leave, Infinity without caps', () => {
		const state = stateWith([NOON_UTC - 10 * 60_000, NOON_UTC - 2 * HOUR_MS]);
		expect(joinsAllowedNow(state, noCaps, NOON_UTC)).toEqual({ count: Infinity });
		expect(joinsAllowedNow(state, { maxPerHour: 3, maxPerDay: 10 }, NOON_UTC)).toEqual({
			count: 2,
		});
		expect(joinsAllowedNow(state, { maxPerHour: 3, maxPerDay: 3 }, NOON_UTC)).toEqual({ count: 1 });
	});

	it('at the hour cap: none, until the oldest join of the hour is an hour old', () => {
		const first = NOON_UTC - 50 * 60_000;
		const state = stateWith([first, NOON_UTC - 20 * 60_000, NOON_UTC - 60_000]);
		expect(joinsAllowedNow(state, { maxPerHour: 3, maxPerDay: 0 }, NOON_UTC)).toEqual({
			count: 0,
			hold: 'join_budget_reached',
			notBefore: first + HOUR_MS,
		});
	});

	it('at the day cap: none, until the day holds one fewer', () => {
		const times = Array.from(
			{ length: 10 },
			(_, index) => NOON_UTC - 20 * HOUR_MS + index * HOUR_MS,
		);
		const allowance = joinsAllowedNow(stateWith(times), { maxPerHour: 0, maxPerDay: 10 }, NOON_UTC);
		expect(allowance).toEqual({
			count: 0,
			hold: 'join_budget_reached',
			notBefore: times[0] + DAY_MS,
		});
	});

	it('paused: none until the pause ends, whatever the caps', () => {
		const pause = {
			until: NOON_UTC + HOUR_MS,
			reason: 'restricted' as const,
			message: 'x',
			since: NOON_UTC,
		};
		expect(joinsAllowedNow(stateWith([], pause), noCaps, NOON_UTC)).toEqual({
			count: 0,
			hold: 'instance_restricted',
			notBefore: NOON_UTC + HOUR_MS,
		});
		expect(joinsAllowedNow(stateWith([], pause), noCaps, NOON_UTC + HOUR_MS)).toEqual({
			count: Infinity,
		});
	});

	it('a pause that ends outside Active Hours waits for them', () => {
		const pause = {
			until: Date.UTC(2026, 5, 10, 21, 0),
			reason: 'restricted' as const,
			message: 'x',
			since: NOON_UTC,
		};
		const rules = { ...noCaps, activeHours: hours('08:00', '20:00') };
		const allowance = joinsAllowedNow(stateWith([], pause), rules, NOON_UTC);
		expect(allowance).toMatchObject({ count: 0, notBefore: Date.UTC(2026, 5, 11, 8, 0) });
	});

	it('outside Active Hours: none until they begin', () => {
		const rules = { ...noCaps, activeHours: hours('08:00', '20:00', 'Europe/Berlin') };
		// 19:30 UTC is 21:30 in Berlin (summer): the next 08:00 there is 06:00 UTC.
		expect(joinsAllowedNow(emptyState(), rules, Date.UTC(2026, 5, 10, 19, 30))).toEqual({
			count: 0,
			hold: 'outside_active_hours',
			notBefore: Date.UTC(2026, 5, 11, 6, 0),
		});
	});

	it('property: reserving whatever it allows, as often as asked, never exceeds a cap in any window', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 6 }),
				fc.integer({ min: 1, max: 20 }),
				fc.array(
					fc.tuple(fc.integer({ min: 0, max: 3 * HOUR_MS }), fc.integer({ min: 1, max: 5 })),
					{
						maxLength: 60,
					},
				),
				(perHour, perDay, asks) => {
					const rules = { maxPerHour: perHour, maxPerDay: perDay };
					const state = emptyState();
					const times: number[] = [];
					let now = NOON_UTC;
					for (const [gap, wanted] of asks) {
						now += gap;
						const allowance = joinsAllowedNow(state, rules, now);
						const granted = Math.min(wanted, allowance.count);
						state.joinCounts = withJoins(state.joinCounts, now, granted);
						for (let index = 0; index < granted; index++) times.push(now);
						if (granted < wanted) expect(nextJoinAt(state, rules, now)).toBeGreaterThan(now);
					}
					for (const time of times) {
						const inHour = times.filter((other) => other > time - HOUR_MS && other <= time);
						const inDay = times.filter((other) => other > time - DAY_MS && other <= time);
						expect(inHour.length).toBeLessThanOrEqual(perHour);
						expect(inDay.length).toBeLessThanOrEqual(perDay);
					}
				},
			),
		);
	});

	it('property: at nextJoinAt one more join fits', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 5 }),
				fc.integer({ min: 1, max: 12 }),
				fc.array(fc.integer({ min: 0, max: DAY_MS }), { maxLength: 30 }),
				(perHour, perDay, ages) => {
					const rules = { maxPerHour: perHour, maxPerDay: perDay };
					const state = stateWith(ages.map((age) => NOON_UTC - age));
					const at = nextJoinAt(state, rules, NOON_UTC);
					expect(at).toBeGreaterThanOrEqual(NOON_UTC);
					expect(joinsAllowedNow(state, rules, at).count).toBeGreaterThan(0);
				},
			),
		);
	});
});

describe('the joins the budget counts (withJoins, withoutJoin)', () => {
	it('one entry a moment, oldest first, nothing older than a day; a release takes one back', () => {
		let joins = withJoins([], NOON_UTC, 3);
		joins = withJoins(joins, NOON_UTC, 2);
		joins = withJoins(joins, NOON_UTC - HOUR_MS, 1);
		expect(joins).toEqual([
			[NOON_UTC - HOUR_MS, 1],
			[NOON_UTC, 5],
		]);
		expect(withJoins(joins, NOON_UTC + DAY_MS - HOUR_MS, 0)).toEqual([[NOON_UTC, 5]]);
		expect(withoutJoin(joins, NOON_UTC)).toEqual([
			[NOON_UTC - HOUR_MS, 1],
			[NOON_UTC, 4],
		]);
		expect(withoutJoin(joins, NOON_UTC - HOUR_MS)).toEqual([[NOON_UTC, 5]]);
		expect(withoutJoin(joins, NOON_UTC + 1)).toEqual(joins);
	});

	it('property: joins counted together or one by one lead to the same decisions', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 6 }),
				fc.integer({ min: 0, max: 20 }),
				fc.array(
					fc.tuple(fc.integer({ min: 0, max: 30 * HOUR_MS }), fc.integer({ min: 0, max: 4 })),
					{ maxLength: 40 },
				),
				fc.array(fc.nat(), { maxLength: 5 }),
				fc.integer({ min: 0, max: 2 * DAY_MS }),
				(perHour, perDay, reservations, releases, later) => {
					const rules = { maxPerHour: perHour, maxPerDay: perDay };
					let grouped = emptyState().joinCounts;
					let times: number[] = [];
					for (const [age, count] of reservations) {
						const at = NOON_UTC - age;
						grouped = withJoins(grouped, at, count);
						times.push(...Array.from({ length: count }, () => at));
					}
					for (const pick of releases) {
						if (times.length === 0) break;
						const at = times[pick % times.length];
						grouped = withoutJoin(grouped, at);
						times.splice(times.indexOf(at), 1);
					}
					times = times.filter((time) => time > NOON_UTC - DAY_MS);
					const now = NOON_UTC + later;
					const one = { ...emptyState(), joinCounts: grouped };
					const each = stateWith(times);
					expect(joinsAllowedNow(one, rules, now)).toEqual(joinsAllowedNow(each, rules, now));
					expect(nextJoinAt(one, rules, now)).toBe(nextJoinAt(each, rules, now));
				},
			),
		);
	});
});

describe('Active Hours', () => {
	it('reads HH:MM pairs; both empty or equal: every hour; refuses anything else', () => {
		expect(readActiveHours('', '', 'UTC')).toEqual({ ok: true, value: undefined });
		expect(readActiveHours('09:00', '09:00', 'UTC')).toEqual({ ok: true, value: undefined });
		expect(readActiveHours('8:30', '20:00', 'UTC')).toEqual({
			ok: true,
			value: { fromMinute: 510, toMinute: 1200, timeZone: 'UTC' },
		});
		for (const [from, to] of [
			['08:00', ''],
			['24:00', '08:00'],
			['8h', '20h'],
			['08:60', '09:00'],
		]) {
			const read = readActiveHours(from, to, 'UTC');
			expect(read.ok).toBe(false);
			if (!read.ok)
				expect(read.message).toMatch(
					/^Active Hours in the node's Options must be two times like 08:00/,
				);
		}
		expect(readActiveHours('08:00', '20:00', 'Mars/Olympus').ok).toBe(false);
	});

	it('spans midnight when To comes before From', () => {
		const night = hours('22:00', '06:00');
		expect(isActive(night, Date.UTC(2026, 0, 1, 23, 0))).toBe(true);
		expect(isActive(night, Date.UTC(2026, 0, 1, 5, 59))).toBe(true);
		expect(isActive(night, Date.UTC(2026, 0, 1, 6, 0))).toBe(false);
		expect(nextActiveAt(night, Date.UTC(2026, 0, 1, 12, 0))).toBe(Date.UTC(2026, 0, 1, 22, 0));
	});

	it('follows summer time: 08:00 in New York is 12:00 UTC in summer and 13:00 in winter', () => {
		const day = hours('08:00', '20:00', 'America/New_York');
		expect(nextActiveAt(day, Date.UTC(2026, 6, 1, 3, 0))).toBe(Date.UTC(2026, 6, 1, 12, 0));
		expect(nextActiveAt(day, Date.UTC(2026, 0, 15, 3, 0))).toBe(Date.UTC(2026, 0, 15, 13, 0));
		// Across the change (8 March 2026): from Saturday night to Sunday 08:00 EDT.
		expect(nextActiveAt(day, Date.UTC(2026, 2, 8, 2, 0))).toBe(Date.UTC(2026, 2, 8, 12, 0));
	});

	it('property: nextActiveAt is inside the hours, never before now, within a day', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 23 }),
				fc.integer({ min: 0, max: 23 }),
				fc.constantFrom(
					'UTC',
					'Europe/Berlin',
					'America/Sao_Paulo',
					'Asia/Kolkata',
					'America/New_York',
				),
				fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
				(from, to, timeZone, now) => {
					fc.pre(from !== to);
					const active = hours(`${from}:00`, `${to}:00`, timeZone);
					const next = nextActiveAt(active, now);
					expect(next).toBeGreaterThanOrEqual(now);
					expect(next - now).toBeLessThanOrEqual(DAY_MS + HOUR_MS);
					expect(isActive(active, next)).toBe(true);
				},
			),
		);
	});
});
