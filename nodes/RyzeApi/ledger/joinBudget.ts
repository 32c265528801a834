/**
 * Whether the join budget of an instance allows a join now, how many, and when it next will: the
 * one place that decides it. Counted from the ledger (every join of every run, workflow and
 * worker on that number), so it holds across them. Pure.
 */
import type { ActiveHours } from './activeHours';
import { isActive, nextActiveAt } from './activeHours';
import type { InstanceState, JoinCount } from './records';
import { DAY_MS, HOUR_MS } from './records';

export interface JoinBudgetRules {
	/** Joins in any 60 minutes at most; 0: no cap. */
	maxPerHour: number;
	/** Joins in any 24 hours at most; 0: no cap. */
	maxPerDay: number;
	/** When joins may be sent; undefined: at any hour. */
	activeHours?: ActiveHours;
}

/** Why no join may go now. */
export type BudgetHold = 'instance_restricted' | 'outside_active_hours' | 'join_budget_reached';

export type JoinAllowance = { count: number } | { count: 0; hold: BudgetHold; notBefore: number };

/**
 * How many joins may start now on this instance: none while it is paused (a restriction heard),
 * outside the active hours, or with the last hour's or day's joins at their cap; otherwise what
 * both caps leave (Infinity without caps).
 */
export function joinsAllowedNow(
	state: InstanceState,
	rules: JoinBudgetRules,
	nowMs: number,
): JoinAllowance {
	if (state.pause && nowMs < state.pause.until) {
		return {
			count: 0,
			hold: 'instance_restricted',
			notBefore: nextActiveAt(rules.activeHours, state.pause.until),
		};
	}
	if (!isActive(rules.activeHours, nowMs)) {
		return {
			count: 0,
			hold: 'outside_active_hours',
			notBefore: nextActiveAt(rules.activeHours, nowMs),
		};
	}
	const room = Math.min(
		roomIn(state.joinCounts, rules.maxPerHour, HOUR_MS, nowMs),
		roomIn(state.joinCounts, rules.maxPerDay, DAY_MS, nowMs),
	);
	if (room > 0) return { count: room };
	return { count: 0, hold: 'join_budget_reached', notBefore: nextJoinAt(state, rules, nowMs) };
}

/**
 * The first moment at or after `nowMs` when one more join fits both caps and the active hours,
 * and the instance is not paused.
 */
export function nextJoinAt(state: InstanceState, rules: JoinBudgetRules, nowMs: number): number {
	let at = Math.max(nowMs, state.pause && nowMs < state.pause.until ? state.pause.until : nowMs);
	at = Math.max(
		at,
		freeSlotAt(state.joinCounts, rules.maxPerHour, HOUR_MS, at),
		freeSlotAt(state.joinCounts, rules.maxPerDay, DAY_MS, at),
	);
	return nextActiveAt(rules.activeHours, at);
}

/** Joins of the last hour and day, for the ledger's listing. */
export function recentJoinCounts(
	state: InstanceState,
	nowMs: number,
): { lastHour: number; lastDay: number } {
	return {
		lastHour: countSince(state.joinCounts, nowMs - HOUR_MS),
		lastDay: countSince(state.joinCounts, nowMs - DAY_MS),
	};
}

/** The joins of the last day, oldest first, with `count` more at `atMs`: what a reservation counts. */
export function withJoins(joins: readonly JoinCount[], atMs: number, count: number): JoinCount[] {
	const kept = joins
		.filter(([time, many]) => time > atMs - DAY_MS && many > 0)
		.map(([time, many]): JoinCount => [time, many]);
	if (count > 0) {
		const last = kept[kept.length - 1];
		if (last && last[0] === atMs) last[1] += count;
		else kept.push([atMs, count]);
	}
	return kept.sort(([one], [other]) => one - other);
}

/** The joins without one reserved at `atMs` (given back unsent): it no longer counts. */
export function withoutJoin(joins: readonly JoinCount[], atMs: number): JoinCount[] {
	const kept = joins.map(([time, count]): JoinCount => [time, count]);
	for (let index = kept.length - 1; index >= 0; index--) {
		if (kept[index][0] !== atMs) continue;
		kept[index][1]--;
		return kept.filter(([, count]) => count > 0);
	}
	return kept;
}

function roomIn(joins: readonly JoinCount[], cap: number, windowMs: number, nowMs: number): number {
	if (cap <= 0) return Infinity;
	return Math.max(0, cap - countSince(joins, nowMs - windowMs));
}

/** When the window ending then holds fewer than `cap` joins: the moment enough old ones leave it. */
function freeSlotAt(
	joins: readonly JoinCount[],
	cap: number,
	windowMs: number,
	atMs: number,
): number {
	if (cap <= 0) return atMs;
	// The newest joins leave last: the moment of the cap-th newest is when cap − 1 remain after it.
	let newer = 0;
	for (let index = joins.length - 1; index >= 0; index--) {
		const [time, count] = joins[index];
		if (time <= atMs - windowMs) break;
		newer += count;
		if (newer >= cap) return time + windowMs;
	}
	return atMs;
}

function countSince(joins: readonly JoinCount[], sinceMs: number): number {
	let count = 0;
	for (const [time, many] of joins) if (time > sinceMs) count += many;
	return count;
}
