/**
 * The provider's rate limit as the emulator serves it: `limit` requests per fixed window of
 * `windowMs`, windows aligned to multiples of the window length (so a reset announced in whole
 * seconds is exact whenever the window is a whole number of seconds); only an accepted request
 * counts. Pure, on the caller's clock: the emulator's HTTP server keeps one per token, and the
 * unit simulations drive one with simulated time.
 */
export interface WindowAnswer {
	allowed: boolean;
	limit: number;
	/** What is left of the window after this request. */
	remaining: number;
	/** When the window ends, ms since the epoch. */
	resetAtMs: number;
	/** The same, in whole seconds, as X-RateLimit-Reset says it. */
	resetAtSeconds: number;
}

export class FixedWindow {
	private start = Number.NEGATIVE_INFINITY;

	private count = 0;

	constructor(
		readonly limit: number,
		readonly windowMs: number,
	) {}

	/** A request arriving at nowMs: allowed while fewer than `limit` were allowed in its window. */
	take(nowMs: number): WindowAnswer {
		this.moveTo(nowMs);
		const allowed = this.count < this.limit;
		if (allowed) this.count++;
		return { allowed, ...this.state() };
	}

	/** The window as an answer leaving at nowMs tells it, counting nothing. */
	peek(nowMs: number): Omit<WindowAnswer, 'allowed'> {
		this.moveTo(nowMs);
		return this.state();
	}

	/** The index of the window nowMs falls in (its start ÷ windowMs). */
	windowOf(nowMs: number): number {
		return Math.floor(nowMs / this.windowMs);
	}

	private moveTo(nowMs: number): void {
		const start = this.windowOf(nowMs) * this.windowMs;
		if (start === this.start) return;
		this.start = start;
		this.count = 0;
	}

	private state(): Omit<WindowAnswer, 'allowed'> {
		const resetAtMs = this.start + this.windowMs;
		return {
			limit: this.limit,
			remaining: this.limit - this.count,
			resetAtMs,
			resetAtSeconds: Math.ceil(resetAtMs / 1000),
		};
	}
}
