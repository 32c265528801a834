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

/**
 * The token's request budget as this process knows it. It allows a start only while requests
 * remain beyond those in flight; the first request of a window (or of all) goes alone, and its
 * answer's headers say what the window holds; the window's last fifth goes one at a time.
 * Without headers it assumes 100 per minute.
 * A `waitMs` of undefined means: wait for an answer in flight.
 */
export class RateBudget {
	private window: RateLimitSnapshot | undefined;
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
	 */
	constructor(private readonly tailFraction = 0.2) {}

	decide(nowMs: number): StartDecision {
		if (nowMs < this.pausedUntilMs)
			return { go: false, waitMs: this.pausedUntilMs - nowMs, why: 'rate limited' };
		if (this.window && nowMs >= this.window.resetAtMs + RESET_MARGIN_MS) this.window = undefined;

		if (this.window) {
			const available = this.window.remaining - this.inFlight;
			const tail = Math.ceil(this.window.limit * this.tailFraction);
			if (available > tail || (available > 0 && this.inFlight === 0)) return { go: true };
			if (this.inFlight > 0) return { go: false, waitMs: undefined, why: 'budget in flight' };
			return {
				go: false,
				waitMs: this.window.resetAtMs + RESET_MARGIN_MS - nowMs,
				why: 'rate limit window used up',
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
			this.window = { ...snapshot };
		} else if (snapshot.resetAtMs === this.window.resetAtMs) {
			// Answers arrive out of order; the lowest count is the most recent the server reported.
			this.window.remaining = Math.min(this.window.remaining, snapshot.remaining);
			this.window.limit = snapshot.limit;
		}
		// An answer from an earlier window says nothing about this one.
	}

	onAbandoned(): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
	}

	/** No start before this time (after a 429, the others would be refused too). */
	pauseUntil(untilMs: number): void {
		this.pausedUntilMs = Math.max(this.pausedUntilMs, untilMs);
	}

	get requestsInFlight(): number {
		return this.inFlight;
	}
}

function wholeNumber(value: string | undefined): number | undefined {
	if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
	const number = Number(value);
	return Number.isSafeInteger(number) ? number : undefined;
}
