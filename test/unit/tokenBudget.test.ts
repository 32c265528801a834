/**
 * The token's request budget (runner/tokenBudget.ts: TokenBudget) on a fake clock: how it counts
 * the window from the rate-limit headers, waits for the reset, and lets the end of a window go
 * one request at a time. Its simulations against a fixed-window server are in
 * tokenBudget.fixedWindowServer.test.ts and tokenBudget.processes.test.ts.
 */
import type { RateLimitSnapshot } from '../../nodes/RyzeApi/shared/rateLimitHeaders';
import type { BudgetDecision } from '../../nodes/RyzeApi/runner/tokenBudget';
import {
	ASSUMED_LIMIT,
	ASSUMED_WINDOW_MS,
	RESET_MARGIN_MS,
} from '../../nodes/RyzeApi/shared/rateLimitHeaders';
import { TokenBudget } from '../../nodes/RyzeApi/runner/tokenBudget';
import { NOW } from '../support/fakeAnswers';

/** Starts requests at `nowMs` while the budget allows, at most `max`; returns how many started. */
function startAll(budget: TokenBudget, nowMs: number, max = 10_000): number {
	let started = 0;
	while (started < max && budget.decide(nowMs).go) {
		budget.onStart(nowMs);
		started++;
	}
	return started;
}

/** How long the budget says to wait (failing when it says go, or to wait for an answer). */
function waitOf(decision: BudgetDecision): number {
	if (decision.go || decision.waitMs === undefined) throw new Error('expected a timed wait');
	return decision.waitMs;
}

/**
 * Nothing starts with `remaining` left: that is the tail ticket's 4 of 20, held until the others'
 * last requests had time to land; starts what may go then, and says when.
 */
function afterTheSettle(
	budget: TokenBudget,
	nowMs: number,
	remaining: number,
): { started: number; now: number } {
	expect(remaining).toBe(tail(20));
	const now = nowMs + waitOf(budget.decide(nowMs));
	return { started: startAll(budget, now), now };
}

function expectWait(decision: BudgetDecision, waitMs: number | undefined): void {
	expect(decision.go).toBe(false);
	if (decision.go) return;
	expect(decision.waitMs).toBe(waitMs);
	expect(decision.why).not.toBe('');
}
/** The last fifth of a window of `limit` goes one request at a time (alone on the token). */
const tail = (limit: number) => Math.ceil(limit / 5);
/**
 * A budget alone on the token that has learned `snapshot` right after a window of its own (so
 * it trusts its history and does not ramp up): what the window has used so far (at least its
 * first request) was its own, so its share is all of it.
 */
function learned(snapshot: RateLimitSnapshot, nowMs = NOW): TokenBudget {
	const budget = new TokenBudget();
	const previousReset = snapshot.resetAtMs - 60_000;
	expect(budget.decide(previousReset - 30_000)).toEqual({ go: true });
	budget.onStart(previousReset - 30_000);
	budget.onSettled({
		limit: snapshot.limit,
		remaining: snapshot.limit - 1,
		resetAtMs: previousReset,
	});
	const used = Math.max(1, snapshot.limit - snapshot.remaining);
	for (let i = 0; i < used; i++) budget.onStart(nowMs);
	for (let i = 0; i < used; i++) budget.onSettled(snapshot);
	return budget;
}

describe('TokenBudget', () => {
	const T = NOW + 60_000;
	it('sends the first request alone, then waits for its answer', () => {
		const budget = new TokenBudget();
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
		// All but the window's tail at once.
		expect(startAll(budget, NOW + 100)).toBe(19 - tail(20));
		expect(budget.requestsInFlight).toBe(15);
		expectWait(budget.decide(NOW + 100), undefined);

		// The server counted all 15 at arrival; the answers say so, one less each time.
		let now = NOW + 1_000;
		for (let remaining = 18; remaining >= tail(20); remaining--) {
			budget.onSettled({ limit: 20, remaining, resetAtMs: T });
			expect(budget.requestsInFlight).toBe(remaining - tail(20));
			if (remaining > tail(20)) expectWait(budget.decide(now), undefined);
			now += 10;
		}
		// The tail, one request at a time.
		for (let remaining = tail(20) - 1; remaining >= 0; remaining--) {
			expect(startAll(budget, now)).toBe(1);
			budget.onSettled({ limit: 20, remaining, resetAtMs: T });
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
		// 14 remain, 4 of them in flight; the tail goes one at a time.
		expect(startAll(budget, NOW)).toBe(14 - 4 - tail(20));
		expect(budget.requestsInFlight).toBe(14 - tail(20));
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
		expect(startAll(budget, T + 10_000)).toBe(29 - tail(30));
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
		expect(startAll(budget, NOW)).toBe(14 - 2 - tail(20));
	});

	it('ignores an answer from an earlier window', () => {
		const budget = learned({ limit: 20, remaining: 5, resetAtMs: T });
		expect(startAll(budget, NOW, 1)).toBe(1);
		budget.onSettled({ limit: 20, remaining: 19, resetAtMs: T - 60_000 });
		expect(budget.requestsInFlight).toBe(0);
		// Still 5 left, all in the window's tail: one at a time.
		expect(startAll(budget, NOW)).toBe(1);
	});

	it('lets a later window replace the current one, its limit included', () => {
		const budget = learned({ limit: 20, remaining: 2, resetAtMs: T });
		// The tail of the window: one at a time.
		expect(startAll(budget, T)).toBe(1);
		budget.onSettled({ limit: 50, remaining: 49, resetAtMs: T + 60_000 });
		expect(budget.requestsInFlight).toBe(0);
		expect(startAll(budget, T + 10)).toBe(49 - tail(50));
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
		// Alone: 15 left, 3 of ours in flight, the tail one at a time.
		expect(startAll(alone, NOW)).toBe(15 - 3 - tail(20));
		// Shared: others spent 10 to our 2 answered (and 1 in the window before), so our share of
		// the 5 left is 4/14 of 5 (1), and 3 of ours are still in flight: nothing more goes until
		// they are answered.
		expect(startAll(shared, NOW)).toBe(0);
		expectWait(shared.decide(NOW), undefined);
		for (let i = 0; i < 3; i++) shared.onSettled({ limit: 20, remaining: 2, resetAtMs: T });
		// Answered, and the others spent 3 more meanwhile: 7/20 of the 2 left rounds down to 0, and
		// the others were not quiet between our last two answers: the rest is left to them.
		expect(startAll(shared, NOW)).toBe(0);
		expect(shared.requestsInFlight).toBe(0);
	});

	it('sizes its burst to its share of what remains when the others spent part of the window', () => {
		// Last window, ours 20 and others 20; this one: our probe, and 9 of theirs.
		const budget = new TokenBudget();
		for (let i = 0; i < 20; i++) budget.onStart(NOW);
		for (let i = 0; i < 20; i++) budget.onSettled({ limit: 40, remaining: 0, resetAtMs: T });
		const next = T + 60_000;
		expect(budget.decide(T + RESET_MARGIN_MS)).toEqual({ go: true });
		budget.onStart(T + RESET_MARGIN_MS);
		budget.onSettled({ limit: 40, remaining: 30, resetAtMs: next });
		// Ours 21, others 29 over the two windows: a share of 22/51 of the 30 left (12), half of
		// it (6) at once while others are on the token, less the tail of our share of the window
		// (⌈40 × 22/51 ÷ 5⌉ = 4), which goes one at a time: 2.
		expect(startAll(budget, T + 100)).toBe(2);
		// Our 2 counted, and 14 more of theirs during that round trip: 14 left, our share of them
		// (24/67, 5) halved is no more than the tail (3), so one at a time, and only while what
		// remains exceeds what they may have in flight (14) and the slot kept for the holder of the
		// tail ticket: none of ours goes, the rest is theirs.
		for (let i = 0; i < 2; i++) budget.onSettled({ limit: 40, remaining: 14, resetAtMs: next });
		expect(startAll(budget, T + 200)).toBe(0);
		expectWait(budget.decide(T + 200), next + RESET_MARGIN_MS - T - 200);
	});

	it('takes the whole window again once the others stop spending', () => {
		const budget = new TokenBudget();
		budget.onStart(NOW);
		budget.onSettled({ limit: 20, remaining: 10, resetAtMs: T });
		// 9 of the 10 used were someone else's, who then stops: we spend the rest, in bursts that
		// grow with our part of the spending, one at a time at the end; the answer saying 4 remain
		// is the tail ticket, so the last 4 go once the other's last requests had time to land.
		let remaining = 10;
		let rounds = 0;
		let now = NOW;
		while (remaining > 0) {
			let started = startAll(budget, now);
			if (started === 0) ({ started, now } = afterTheSettle(budget, now, remaining));
			expect(started).toBeGreaterThan(0);
			expect(started).toBeLessThanOrEqual(remaining);
			for (let i = 0; i < started; i++)
				budget.onSettled({ limit: 20, remaining: --remaining, resetAtMs: T });
			rounds++;
		}
		expect(rounds).toBeGreaterThan(1);
		expectWait(budget.decide(now), T + RESET_MARGIN_MS - now);
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
		now = T + 200;
		while (remaining > 0) {
			let started = startAll(budget, now);
			if (started === 0) ({ started, now } = afterTheSettle(budget, now, remaining));
			expect(started).toBeGreaterThan(0);
			for (let i = 0; i < started; i++)
				budget.onSettled({ limit: 20, remaining: --remaining, resetAtMs: next(1) });
		}
		budget.onStart(next(1) + RESET_MARGIN_MS);
		budget.onSettled({ limit: 20, remaining: 19, resetAtMs: next(2) });
		expect(startAll(budget, next(1) + 100)).toBe(19 - tail(20));
	});

	it('waits for the reset when another client has spent the window', () => {
		const budget = learned({ limit: 20, remaining: 19, resetAtMs: T });
		expect(startAll(budget, NOW, 1)).toBe(1);
		budget.onSettled({ limit: 20, remaining: 0, resetAtMs: T });
		expectWait(budget.decide(NOW + 5), T + RESET_MARGIN_MS - NOW - 5);
	});

	it('assumes 100 per 60 s when the API never sends the headers', () => {
		const t0 = NOW + 123;
		const budget = new TokenBudget();
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
		const budget = new TokenBudget();
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
		expect(startAll(budget, NOW + 5_000)).toBe(19 - tail(20));
		expectWait(budget.decide(NOW + 5_000), undefined);
	});

	it('pauses the first request too', () => {
		const budget = new TokenBudget();
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
		const fresh = new TokenBudget();
		fresh.onStart(NOW);
		fresh.onAbandoned();
		expect(fresh.requestsInFlight).toBe(0);
		// Still no answer: the next request goes alone again.
		expect(fresh.decide(NOW)).toEqual({ go: true });
		fresh.onStart(NOW);
		expectWait(fresh.decide(NOW), undefined);

		const budget = learned({ limit: 20, remaining: 8, resetAtMs: T });
		expect(startAll(budget, NOW)).toBe(8 - tail(20));
		budget.onAbandoned();
		expect(budget.requestsInFlight).toBe(3);
		expect(startAll(budget, NOW)).toBe(1);
	});

	it('never counts fewer than 0 in flight', () => {
		const budget = new TokenBudget();
		budget.onAbandoned();
		budget.onSettled(undefined);
		expect(budget.requestsInFlight).toBe(0);
		budget.onStart(NOW);
		expect(budget.requestsInFlight).toBe(1);
	});
});
describe('TokenBudget: the end of a window goes one request at a time', () => {
	const T = NOW + 60_000;
	const window = (remaining: number): RateLimitSnapshot => ({ limit: 20, remaining, resetAtMs: T });

	it('lets all but the last fifth go at once, then one at a time', () => {
		const budget = learned(window(19));
		// 20 per window: the last 4 are the tail, so 15 may go at once, then one at a time.
		expect(startAll(budget, NOW)).toBe(15);
		for (let i = 0; i < 15; i++) budget.onSettled(window(4));
		expect(startAll(budget, NOW)).toBe(1);
		budget.onSettled(window(3));
		expect(startAll(budget, NOW)).toBe(1);
	});

	it('so another client spending the tail meanwhile is seen before another of ours goes', () => {
		const budget = new TokenBudget();
		// The 15 used so far were ours (and none of their answers said 4: the tail ticket is not ours).
		for (let i = 0; i < 15; i++) budget.onStart(NOW);
		for (let i = 0; i < 15; i++) budget.onSettled(window(5));
		expect(startAll(budget, NOW)).toBe(1);
		// Another client took the last four while ours was in flight.
		budget.onSettled(window(0));
		expectWait(budget.decide(NOW), T + RESET_MARGIN_MS - NOW);
	});
});
