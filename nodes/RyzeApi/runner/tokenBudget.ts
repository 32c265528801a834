/**
 * The token's request budget as this process knows it, from the rate-limit headers: the part of
 * the start gate's decision (startGate.ts) that every run of the process shares for one token.
 */
import type { RateLimitSnapshot } from '../shared/rateLimitHeaders';
import { ASSUMED_LIMIT, ASSUMED_WINDOW_MS, RESET_MARGIN_MS } from '../shared/rateLimitHeaders';

/** waitMs undefined: until an answer in flight arrives. */
export type Wait = { go: false; waitMs: number | undefined; why: string };

/** What the token's budget says: go, or wait. */
export type BudgetDecision = { go: true } | Wait;

export function untilAnswered(why: string): Wait {
	return { go: false, waitMs: undefined, why };
}

/**
 * With others on the token, a burst takes this part of our share at once: another process's
 * burst sent after our last answer is invisible to us, and halving ours keeps the overlap small.
 */
const SHARED_BURST = 0.5;
/**
 * The share of a window that goes one request at a time at its end: each answer then shows what
 * other clients of the token spent before more of ours are sent, instead of a batch of 429s.
 */
const TAIL_FRACTION = 0.2;
/**
 * How long the holder of a window's tail ticket lets the others' last requests land before it takes
 * the slots they left (at most this, and at most a tenth of the time left in the window).
 */
const LAST_SLOTS_SETTLE_MS = 1_000;
const LAST_SLOTS_SETTLE_SHARE = 0.1;
/** Slots of a window's tail the others keep for the holder of the tail ticket. */
const HOLDER_RESERVE = 1;

/** What this process saw of one window of the token: its own requests and the others'. */
interface WindowTally {
	resetAtMs: number;
	/** When the first of our requests counted in this window started. */
	firstStartMs: number;
	/** Our requests started for this window, answered or not. */
	ownStarts: number;
	/** Our answers from this window, and how many of them were 429s (not counted by the server). */
	ownAnswered: number;
	rejected: number;
	/**
	 * Others' requests in this window: the server's count beyond all of ours started, the most
	 * seen (exact once none of ours is in flight, a lower bound before, and never decreasing).
	 */
	others: number;
	/** What remained when we stopped for the reset with requests still wanting to go. */
	leftToOthers: number;
	/** One of our answers carried the window's tail ticket: the last slots no share gives are ours. */
	holdsTail: boolean;
	/** When we first waited for such a slot (the settle counts from then). */
	lastSlotsFromMs: number | undefined;
}

/** Our requests the server counted in the window, as far as its answers have told us. */
function ownIn(tally: WindowTally): number {
	return Math.max(0, tally.ownAnswered - tally.rejected);
}

/**
 * The token's request budget as this process knows it, from the headers alone (the token may be
 * spent by other n8n workers and by programs that are not n8n; nothing else is shared). `decide`
 * is the budget's part of the gate's decision; the rest records starts and answers.
 *
 * - **Share**: spending the headers show beyond our own requests is someone else's. We may have
 *   in flight only our share of what remains, our share being our part of the spending seen in
 *   this window and the one before. Processes that do the same take shares that add up to about
 *   one, so together they stay within what remains; alone on the token the share is 1.
 * - **Ramp**: without a trustworthy previous window (the first window, after a pause) the share
 *   is a guess, and after a 429 it was wrong: in-flight requests then grow by one per answer
 *   (doubling per round trip; halved by a 429), so a burst never outruns what the answers have
 *   shown about the others.
 * - **Burst**: with others on the token, at most half of our share goes at once (their bursts
 *   since our last answer are invisible to us); alone, all of it.
 * - **Tail**: the window's last fifth (of our share) goes one request at a time, so each answer
 *   shows what the others spent before more of ours go. One more of ours goes while what remains
 *   exceeds what the others may have in flight (their requests counted during our last round
 *   trip) plus one slot kept for the holder of the tail ticket; otherwise we leave the rest to
 *   the others and wait for the reset.
 * - **Last slots**: the process whose answer said a fifth of the limit remained holds the tail
 *   ticket (the server gives each counted request its own count, so one process at most). From
 *   then on it keeps its requests for the end: once the requests the others sent before seeing
 *   the end have had time to land (a second at most, or a tenth of the time left), it takes
 *   what they left, one at a time; the slot they kept for it means its first one never meets a
 *   429. Alone on the token in a run under way there is nobody to wait for.
 * - Without headers it assumes 100 per minute.
 */
export class TokenBudget {
	private window: RateLimitSnapshot | undefined;
	private tally: WindowTally | undefined;
	private previous: WindowTally | undefined;
	/** Our starts made while no window was known (the probe of the next one). */
	private unattributed: { starts: number; firstStartMs: number | undefined } = {
		starts: 0,
		firstStartMs: undefined,
	};
	/** Whether the previous window's tally describes the run we are in (the window just before). */
	private historyTrusted = false;
	/** Most requests in flight while ramping (Infinity with a trusted history free of 429s). */
	private ramp = 1;
	/** Others' spending at our last answer that left nothing of ours in flight. */
	private othersAtLastCheck: number | undefined;
	/** Others' requests counted during our last round trip (undefined: not measured yet). */
	private othersPerRoundTrip: number | undefined;
	private inFlight = 0;
	private headersSeen = false;
	private answersSeen = 0;
	/** Starts counted locally when the API sends no rate-limit headers. */
	private assumedWindow = { startMs: 0, starts: 0 };
	private pausedUntilMs = 0;

	get requestsInFlight(): number {
		return this.inFlight;
	}

	/** The budget's part of the gate's decision. */
	decide(nowMs: number): BudgetDecision {
		if (nowMs < this.pausedUntilMs)
			return { go: false, waitMs: this.pausedUntilMs - nowMs, why: 'rate limited' };
		if (this.window && nowMs >= this.window.resetAtMs + RESET_MARGIN_MS) this.forgetWindow();
		if (this.window) return this.windowAllows(this.window, this.tally as WindowTally, nowMs);
		if (this.headersSeen || this.answersSeen === 0) {
			// No window known: learn it from one answer before spending it.
			return this.inFlight === 0
				? { go: true }
				: untilAnswered('waiting for the first answer of the window');
		}
		if (nowMs >= this.assumedWindow.startMs + ASSUMED_WINDOW_MS)
			this.assumedWindow = { startMs: nowMs, starts: 0 };
		if (this.assumedWindow.starts < ASSUMED_LIMIT) return { go: true };
		return {
			go: false,
			waitMs: this.assumedWindow.startMs + ASSUMED_WINDOW_MS - nowMs,
			why: 'assumed limit of 100 per minute',
		};
	}

	private windowAllows(
		window: RateLimitSnapshot,
		tally: WindowTally,
		nowMs: number,
	): BudgetDecision {
		const share = this.share();
		const open = window.remaining;
		const mine = Math.floor(share * open + 1e-9);
		const burst = share < 1 ? Math.floor(mine * SHARED_BURST) : mine;
		const tail = Math.ceil(window.limit * share * TAIL_FRACTION);
		const inFlight = this.inFlight;
		if (burst - inFlight > tail && inFlight < this.ramp) return { go: true };
		if (inFlight > 0) return untilAnswered('budget in flight');
		if (open > 0 && tally.holdsTail) return this.decideLastSlot(tally, share, nowMs);
		if (this.tailRoom(share, open) >= 1) return { go: true };
		// We leave what remains to the others: count it as theirs once the window is over.
		tally.leftToOthers = window.remaining;
		return {
			go: false,
			waitMs: window.resetAtMs + RESET_MARGIN_MS - nowMs,
			why:
				window.remaining > 0
					? 'rate limit window left to other clients of the token'
					: 'rate limit window used up',
		};
	}

	onStart(nowMs: number): void {
		this.inFlight++;
		if (this.tally && this.window && nowMs < this.window.resetAtMs) {
			this.tally.ownStarts++;
		} else {
			this.unattributed.starts++;
			this.unattributed.firstStartMs ??= nowMs;
		}
		if (nowMs >= this.assumedWindow.startMs + ASSUMED_WINDOW_MS)
			this.assumedWindow = { startMs: nowMs, starts: 0 };
		this.assumedWindow.starts++;
	}

	onSettled(snapshot: RateLimitSnapshot | undefined): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
		this.answersSeen++;
		if (!snapshot) return;
		this.headersSeen = true;
		if (!this.window || snapshot.resetAtMs > this.window.resetAtMs) {
			this.learnWindow(snapshot);
		} else if (snapshot.resetAtMs === this.window.resetAtMs) {
			// Answers arrive out of order; the lowest count is the most recent the server reported.
			this.window.remaining = Math.min(this.window.remaining, snapshot.remaining);
			this.window.limit = snapshot.limit;
		} else {
			// An answer from an earlier window says nothing about this one.
			return;
		}
		const tally = this.tally as WindowTally;
		tally.ownAnswered++;
		// Each counted request gets its own remaining count, so exactly one process gets this one.
		if (snapshot.remaining === Math.ceil(snapshot.limit * TAIL_FRACTION)) tally.holdsTail = true;
		this.countOthers();
		this.ramp++;
		if (this.inFlight === 0) {
			// With nothing of ours in flight, the others' count is exact: did it move since last time?
			if (this.othersAtLastCheck !== undefined)
				this.othersPerRoundTrip = tally.others - this.othersAtLastCheck;
			this.othersAtLastCheck = tally.others;
		}
	}

	/**
	 * The holder of the tail ticket takes the window's last slots, one at a time, once the requests
	 * the others sent before seeing the end have had time to land.
	 */
	private decideLastSlot(tally: WindowTally, share: number, nowMs: number): BudgetDecision {
		// Alone on the token in a run already under way, nobody else's requests can still land.
		if (share === 1 && this.historyTrusted) return { go: true };
		tally.lastSlotsFromMs ??= nowMs;
		const settleMs = Math.min(
			LAST_SLOTS_SETTLE_MS,
			(tally.resetAtMs - tally.lastSlotsFromMs) * LAST_SLOTS_SETTLE_SHARE,
		);
		const waitMs = tally.lastSlotsFromMs + settleMs - nowMs;
		if (waitMs <= 0) return { go: true };
		return { go: false, waitMs, why: 'letting the other clients finish before the last slots' };
	}

	/**
	 * How many more of ours may go, one at a time, in the window's tail without the tail ticket:
	 * what remains, less what the others may have in flight (their requests counted during our last
	 * round trip) and the slot kept for the holder of the ticket, who then never meets a 429.
	 * Before that round trip is measured, our share of what remains beyond that slot.
	 */
	private tailRoom(share: number, open: number): number {
		const others = this.othersPerRoundTrip;
		if (others === undefined) return Math.floor(share * (open - HOLDER_RESERVE) + 1e-9);
		return open - others - HOLDER_RESERVE;
	}

	onAbandoned(): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
		// A start that never became a request was not spent.
		if (this.tally && this.tally.ownStarts > 0) this.tally.ownStarts--;
		else if (this.unattributed.starts > 0) this.unattributed.starts--;
	}

	/** No start before this time (after a 429, the others would be refused too). */
	pauseUntil(untilMs: number): void {
		this.pausedUntilMs = Math.max(this.pausedUntilMs, untilMs);
	}

	/**
	 * One of our answers (already settled) was a 429: the server did not count it, and we went
	 * faster than the window allowed, so bursts shrink by half and grow again by one per answer.
	 */
	onRejected(): void {
		const tally = this.tally;
		if (tally && tally.rejected < tally.ownAnswered) {
			tally.rejected++;
			this.countOthers();
		}
		this.ramp = Math.max(1, Math.ceil(Math.min(this.ramp, this.inFlight + 1) / 2));
	}

	/** Our part of the spending seen in this window, and in the one before when it is trusted. */
	private share(): number {
		const tally = this.tally as WindowTally;
		let own = ownIn(tally);
		let others = tally.others;
		if (this.historyTrusted && this.previous) {
			own += ownIn(this.previous);
			others += this.previous.others;
		}
		return (own + 1) / (own + others + 1);
	}

	/** The server's count beyond every request of ours started for this window (a 429 was not counted). */
	private countOthers(): void {
		const tally = this.tally as WindowTally;
		const window = this.window as RateLimitSnapshot;
		const used = window.limit - window.remaining;
		tally.others = Math.max(tally.others, used - (tally.ownStarts - tally.rejected));
	}

	/**
	 * The window is over: it becomes the history. What we left to the others when we stopped for
	 * the reset was theirs, as far as anyone can tell (our last answer could not show it).
	 */
	private forgetWindow(): void {
		if (this.tally) {
			this.tally.others += this.tally.leftToOthers;
			this.previous = this.tally;
		}
		this.window = undefined;
		this.tally = undefined;
	}

	private learnWindow(snapshot: RateLimitSnapshot): void {
		this.forgetWindow();
		const firstStartMs = this.unattributed.firstStartMs ?? snapshot.resetAtMs;
		this.window = { ...snapshot };
		this.tally = {
			resetAtMs: snapshot.resetAtMs,
			firstStartMs,
			ownStarts: this.unattributed.starts,
			ownAnswered: 0,
			rejected: 0,
			others: 0,
			leftToOthers: 0,
			holdsTail: false,
			lastSlotsFromMs: undefined,
		};
		this.unattributed = { starts: 0, firstStartMs: undefined };
		this.historyTrusted = isRunContinued(this.previous, firstStartMs);
		this.ramp = this.historyTrusted && this.previous?.rejected === 0 ? Infinity : 1;
		this.othersAtLastCheck = undefined;
		this.othersPerRoundTrip = undefined;
	}
}

/**
 * The previous window describes the present run when ours started again within about one window
 * of its reset (the window's length is at least the span from its first start to its reset: an
 * underestimate, which only makes the test stricter).
 */
function isRunContinued(previous: WindowTally | undefined, firstStartMs: number): boolean {
	if (!previous) return false;
	return firstStartMs - previous.resetAtMs < previous.resetAtMs - previous.firstStartMs;
}
