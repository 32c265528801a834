/**
 * When a request may start, from the token's rate-limit headers: a pure state machine fed with
 * starts and answers and asked with a clock. The timers and the sharing across executions live in
 * runner/tokenLimiter.ts; this file decides, it never waits.
 */

export interface RateLimitSnapshot {
	limit: number;
	remaining: number;
	/** When the provider's counter resets, in ms since the epoch (from X-RateLimit-Reset seconds). */
	resetAtMs: number;
}

/** The provider's default, assumed until its headers say otherwise. */
export const ASSUMED_LIMIT = 100;
export const ASSUMED_WINDOW_MS = 60_000;
/** Slack after the announced reset before spending the new window: clocks and rounding differ. */
export const RESET_MARGIN_MS = 50;
/** The provider's own example waits at least this long on a 429. */
export const MIN_RATE_LIMIT_WAIT_MS = 1_000;
/**
 * With others on the token, a burst takes this part of our share at once: another process's
 * burst sent after our last answer is invisible to us, and halving ours keeps the overlap small
 * (measured in the simulated processes of test/unit/pacing.test.ts: about a third fewer 429s
 * with four processes, at under 1% of the window's use).
 */
const SHARED_BURST = 0.5;
/**
 * How long the holder of a window's tail ticket lets the others' last requests land before it takes
 * the slots no share gives (at most this, and at most a tenth of the time left in the window).
 */
const LAST_SLOTS_SETTLE_MS = 1_000;
const LAST_SLOTS_SETTLE_SHARE = 0.1;

export function readRateLimitHeaders(
	headers: Record<string, string | undefined>,
): RateLimitSnapshot | undefined {
	const limit = wholeNumber(headers['x-ratelimit-limit']);
	const remaining = wholeNumber(headers['x-ratelimit-remaining']);
	const reset = wholeNumber(headers['x-ratelimit-reset']);
	if (limit === undefined || remaining === undefined || reset === undefined || limit === 0)
		return undefined;
	return { limit, remaining: Math.min(remaining, limit), resetAtMs: reset * 1000 };
}

export type StartDecision = { go: true } | { go: false; waitMs: number | undefined; why: string };

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
 * spent by other n8n workers and by programs that are not n8n; nothing else is shared).
 *
 * - The first request of a window (or of all) goes alone; its answer says what the window holds.
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
 *   shows what the others spent before more of ours go. When our share of what remains rounds
 *   down to nothing, we still send one at a time if the others spent nothing between our last two
 *   answers; otherwise we leave the rest to them and wait for the reset.
 * - **Last slots**: when everyone's share rounds down to nothing, every process would leave the
 *   window's last slots to the others. The process whose answer said a fifth of the limit
 *   remained (the server gives each counted request its own count, so one process at most)
 *   takes them, one at a time, once the requests the others sent before seeing the end have
 *   had time to land (a second at most).
 * - Without headers it assumes 100 per minute.
 *
 * A `waitMs` of undefined means: wait for an answer in flight.
 */
export class RateBudget {
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

	/**
	 * @param tailFraction The share of a window that goes one request at a time at its end: each
	 * answer then shows what other clients of the token spent before more of ours are sent,
	 * instead of a batch of 429s. One fifth costs a few round trips per window.
	 * @param rampUp Whether to ramp up bursts without a trusted history (off only in tests that
	 * pin how the budget counts).
	 */
	constructor(
		private readonly tailFraction = 0.2,
		private readonly rampUp = true,
	) {}

	decide(nowMs: number): StartDecision {
		if (nowMs < this.pausedUntilMs)
			return { go: false, waitMs: this.pausedUntilMs - nowMs, why: 'rate limited' };
		if (this.window && nowMs >= this.window.resetAtMs + RESET_MARGIN_MS) this.forgetWindow();

		if (this.window) {
			const share = this.share();
			const open = this.window.remaining;
			let mine = Math.floor(share * open + 1e-9);
			if (mine === 0 && open > 0 && this.othersPerRoundTrip === 0) mine = 1;
			if (mine === 0 && open > 0 && (this.tally as WindowTally).holdsTail)
				return this.decideLastSlot(nowMs);
			const burst = share < 1 ? Math.floor(mine * SHARED_BURST) : mine;
			const tail = Math.ceil(this.window.limit * share * this.tailFraction);
			const rampAllows = !this.rampUp || this.inFlight < this.ramp;
			if (
				(burst - this.inFlight > tail && rampAllows) ||
				(mine - this.inFlight > 0 && this.inFlight === 0)
			)
				return { go: true };
			if (this.inFlight > 0) return { go: false, waitMs: undefined, why: 'budget in flight' };
			// We leave what remains to the others: count it as theirs once the window is over.
			(this.tally as WindowTally).leftToOthers = this.window.remaining;
			return {
				go: false,
				waitMs: this.window.resetAtMs + RESET_MARGIN_MS - nowMs,
				why:
					this.window.remaining > 0
						? 'rate limit window left to other clients of the token'
						: 'rate limit window used up',
			};
		}
		if (this.headersSeen || this.answersSeen === 0) {
			// Learn the window from one answer before spending it.
			return this.inFlight === 0
				? { go: true }
				: { go: false, waitMs: undefined, why: 'waiting for the first answer of the window' };
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
		const tailTicket = Math.ceil(snapshot.limit * this.tailFraction);
		if (tailTicket > 0 && snapshot.remaining === tailTicket) tally.holdsTail = true;
		this.countOthers();
		this.ramp++;
		if (this.inFlight === 0) {
			// With nothing of ours in flight, the others' count is exact: did it move since last time?
			if (this.othersAtLastCheck !== undefined)
				this.othersPerRoundTrip = tally.others - this.othersAtLastCheck;
			this.othersAtLastCheck = tally.others;
		}
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

	/**
	 * The holder of the tail ticket takes the window's last slots that no one's share gives, one at
	 * a time, once the requests the others sent before seeing the end have had time to land.
	 */
	private decideLastSlot(nowMs: number): StartDecision {
		if (this.inFlight > 0) return { go: false, waitMs: undefined, why: 'budget in flight' };
		const tally = this.tally as WindowTally;
		const { resetAtMs } = this.window as RateLimitSnapshot;
		tally.lastSlotsFromMs ??= nowMs;
		const settleMs = Math.min(
			LAST_SLOTS_SETTLE_MS,
			(resetAtMs - tally.lastSlotsFromMs) * LAST_SLOTS_SETTLE_SHARE,
		);
		const waitMs = tally.lastSlotsFromMs + settleMs - nowMs;
		if (waitMs <= 0) return { go: true };
		return { go: false, waitMs, why: 'letting the other clients finish before the last slots' };
	}

	get requestsInFlight(): number {
		return this.inFlight;
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
	private closeTally(): void {
		if (!this.tally) return;
		this.tally.others += this.tally.leftToOthers;
		this.previous = this.tally;
	}

	private forgetWindow(): void {
		this.closeTally();
		this.window = undefined;
		this.tally = undefined;
	}

	private learnWindow(snapshot: RateLimitSnapshot): void {
		this.closeTally();
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
 * of its reset (the window's length is at least the span from its first start
 * to its reset: an underestimate, which only makes the test stricter).
 */
function isRunContinued(previous: WindowTally | undefined, firstStartMs: number): boolean {
	if (!previous) return false;
	return firstStartMs - previous.resetAtMs < previous.resetAtMs - previous.firstStartMs;
}

function wholeNumber(value: string | undefined): number | undefined {
	if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
	const number = Number(value);
	return Number.isSafeInteger(number) ? number : undefined;
}
