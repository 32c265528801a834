/**
 * The end of a rate-limit window when several processes share one token (n8n's queue mode): the
 * one whose answer carried the window's tail ticket keeps its requests from then on and takes
 * what the others left, after letting their last requests land; the others keep a slot for it
 * and leave the rest when their in-flight estimate says it may be taken. Driven through
 * TokenBudget's public methods only, on a fake clock (plain numbers).
 */
import type { RateLimitSnapshot } from '../../nodes/RyzeApi/shared/rateLimitHeaders';
import { RESET_MARGIN_MS } from '../../nodes/RyzeApi/shared/rateLimitHeaders';
import type { BudgetDecision } from '../../nodes/RyzeApi/runner/tokenBudget';
import { TokenBudget } from '../../nodes/RyzeApi/runner/tokenBudget';
import { FixedWindow } from '../support/emulator/fixedWindow';

/** 2026-01-01T00:00:00Z, the start of a 20 s window. */
const WINDOW_START = 1_767_225_600_000;
const WINDOW_MS = 20_000;
const RESET = WINDOW_START + WINDOW_MS;
const LIMIT = 40;
/** The remaining count whose answer makes its receiver the tail's holder: a fifth of the limit. */
const TAIL_TICKET = LIMIT / 5;

const window = (remaining: number): RateLimitSnapshot => ({
	limit: LIMIT,
	remaining,
	resetAtMs: RESET,
});

/** One request of ours, alone in flight, whose answer says `remaining`. */
function oneRequest(budget: TokenBudget, nowMs: number, remaining: number): void {
	expect(budget.decide(nowMs)).toEqual({ go: true });
	budget.onStart(nowMs);
	budget.onSettled(window(remaining));
}

function waitOf(decision: BudgetDecision): number | undefined {
	if (decision.go) throw new Error('expected a wait, got go');
	return decision.waitMs;
}

/**
 * A process that shares the window with another, both going one at a time: its answers carry
 * `ownRemaining` in turn, and the counts skipped between two of them went to the other.
 */
function alternating(ownRemaining: number[], nowMs = WINDOW_START + 100): TokenBudget {
	const budget = new TokenBudget();
	for (const remaining of ownRemaining) oneRequest(budget, nowMs, remaining);
	return budget;
}

describe('TokenBudget: the last slots of a shared window', () => {
	// Ours: every other count from 38 down; the other process took the counts between.
	const toTheTicket = [38, 36, 34, 32, 30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, TAIL_TICKET];
	const toOneWithoutTheTicket = [...toTheTicket.slice(0, -1), 7, 5, 3, 1];
	const at = WINDOW_START + 100;

	it('without the tail ticket, leaves the last slot to the others and waits for the reset', () => {
		const budget = alternating(toOneWithoutTheTicket);
		expect(waitOf(budget.decide(at))).toBe(RESET + RESET_MARGIN_MS - at);
	});

	it("without the ticket, goes one at a time while what remains exceeds the others in flight and the holder's slot", () => {
		// The other took one count during each of our round trips: with 3 left, one of theirs may be
		// in flight and one slot is the holder's, so one more of ours goes; with 1 left, none.
		const budget = alternating([...toOneWithoutTheTicket.slice(0, -1)]);
		expect(budget.decide(at)).toEqual({ go: true });
		budget.onStart(at);
		budget.onSettled(window(1));
		expect(waitOf(budget.decide(at))).toBe(RESET + RESET_MARGIN_MS - at);
	});

	it('with the tail ticket, keeps its requests from then on until the others had time to finish (1 s)', () => {
		const budget = alternating(toTheTicket);
		expect(waitOf(budget.decide(at))).toBe(1_000);
		expect(waitOf(budget.decide(at + 999))).toBe(1);
		expect(budget.decide(at + 1_000)).toEqual({ go: true });
	});

	it('settles for at most a tenth of the time left in the window', () => {
		const late = RESET - 2_000;
		const budget = alternating(toTheTicket, late);
		expect(waitOf(budget.decide(late))).toBe(200);
		expect(budget.decide(late + 200)).toEqual({ go: true });
	});

	it('then takes what the others left one at a time, each answer showing what is left', () => {
		const budget = alternating(toTheTicket);
		expect(waitOf(budget.decide(at))).toBe(1_000);
		const after = at + 1_000;
		// The others stopped with one slot kept for us, and two more they could not use.
		for (const remaining of [2, 1, 0]) {
			expect(budget.decide(after)).toEqual({ go: true });
			budget.onStart(after);
			expect(waitOf(budget.decide(after))).toBeUndefined();
			budget.onSettled(window(remaining));
		}
		expect(waitOf(budget.decide(after))).toBe(RESET + RESET_MARGIN_MS - after);
	});

	it('holds the tail of one window only: the next window starts without it', () => {
		const budget = alternating(toTheTicket);
		expect(waitOf(budget.decide(at))).toBe(1_000);
		oneRequest(budget, at + 1_000, 1);
		const next = RESET + RESET_MARGIN_MS;
		oneRequest(budget, next, 38);
		const nextWindow = (remaining: number): RateLimitSnapshot => ({
			limit: LIMIT,
			remaining,
			resetAtMs: RESET + WINDOW_MS,
		});
		// Down to one left the same way, without the ticket this time (7, not 8).
		for (const remaining of toOneWithoutTheTicket.slice(1)) {
			expect(budget.decide(next)).toEqual({ go: true });
			budget.onStart(next);
			budget.onSettled(nextWindow(remaining));
		}
		expect(waitOf(budget.decide(next))).toBe(RESET + WINDOW_MS + RESET_MARGIN_MS - next);
	});
});

describe('TokenBudget: two processes on one token fill each window between them', () => {
	/**
	 * Both want more than the windows hold and go as their budgets allow, for three windows; the
	 * server (the emulator's FixedWindow) counts the requests of a round in `order(round)`'s order
	 * and answers at once. Returns
	 * the requests counted in each window and the 429s.
	 */
	function run(order: (round: number) => number[]): { perWindow: number[]; rejected: number } {
		const budgets = [new TokenBudget(), new TokenBudget()];
		const server = new FixedWindow(LIMIT, WINDOW_MS);
		const perWindow: number[] = [];
		let rejected = 0;
		let now = WINDOW_START + 50;
		for (let index = 0; index < 3; index++) {
			const resetAtMs = RESET + index * WINDOW_MS;
			let counted = 0;
			for (let round = 0; round < 400 && now < resetAtMs; round++) {
				const sent = order(round).filter((who) => budgets[who].decide(now).go);
				for (const who of sent) budgets[who].onStart(now);
				for (const who of sent) {
					const { allowed, limit, remaining } = server.take(now);
					if (allowed) counted++;
					else rejected++;
					budgets[who].onSettled({ limit, remaining, resetAtMs });
					if (!allowed) budgets[who].onRejected();
				}
				if (sent.length === 0) now += Math.max(1, Math.min(...budgets.map((b) => waitMs(b, now))));
			}
			perWindow.push(counted);
			now = Math.max(now, resetAtMs + RESET_MARGIN_MS);
		}
		return { perWindow, rejected };
	}

	function waitMs(budget: TokenBudget, nowMs: number): number {
		const decision = budget.decide(nowMs);
		return decision.go ? 0 : (decision.waitMs ?? 0);
	}

	it('one answering twice as fast as the other: every window used whole, no 429', () => {
		// Before, their shares (two thirds and one third) both rounded down to nothing with one or
		// two slots left: each left them to the other, and every window lost one.
		const result = run((round) => (round % 2 ? [0] : [0, 1]));
		expect(result.perWindow).toEqual([LIMIT, LIMIT, LIMIT]);
		expect(result.rejected).toBe(0);
	});

	it('answering in step: every window used whole, no 429', () => {
		const result = run(() => [0, 1]);
		expect(result.perWindow).toEqual([LIMIT, LIMIT, LIMIT]);
		expect(result.rejected).toBe(0);
	});
});
