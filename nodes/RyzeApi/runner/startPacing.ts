import { RequestCancelledError } from '../transport/cancel';
import type { WaitNotice } from './tokenLimiter';
import type { TokenLimiter } from './tokenLimiter';
import { sleep } from './tokenLimiter';

export interface StartPacingSettings {
	/** Least time between two request starts of this run (a rate cap below the provider's). */
	minIntervalMs: number;
	/** A random pause between requests, like a person joining groups one by one. */
	humanDelayMs?: { min: number; max: number };
	random: () => number;
	cancelSignal?: AbortSignal;
	onWait?: (notice: WaitNotice) => void;
}

/**
 * Every wait before a request starts, in order: the run's own spacing (the Max Requests Per Minute
 * cap and the human delay), then the token's budget (tokenLimiter, from the rate-limit headers;
 * the decision itself is helpers/rateBudget.ts). The run's first request goes alone: its answer
 * checks the token and tells the budget before more requests are spent.
 */
export class StartPacer {
	private nextStartAt = 0;
	private firstRequest: Promise<unknown> | undefined;

	constructor(private readonly settings: StartPacingSettings) {}

	/** Runs `send` once the run's first request (if not this one) has been answered. */
	async afterFirst<R>(send: () => Promise<R>): Promise<R> {
		if (!this.firstRequest) {
			const first = send();
			this.firstRequest = first;
			return await first;
		}
		await this.firstRequest.catch(() => undefined);
		return await send();
	}

	/** Waits for this run's next start slot, then for the token's budget; counts the start on the limiter. */
	async waitToStart(limiter: TokenLimiter): Promise<void> {
		const { settings } = this;
		const gap = Math.max(
			settings.minIntervalMs,
			humanDelay(settings.humanDelayMs, settings.random),
		);
		const now = Date.now();
		const startAt = Math.max(now, this.nextStartAt);
		this.nextStartAt = startAt + gap;
		if (startAt > now) {
			settings.onWait?.({ waitMs: startAt - now, why: 'pacing between requests' });
			await sleep(startAt - now, settings.cancelSignal);
		}
		if (settings.cancelSignal?.aborted) throw new RequestCancelledError();
		await limiter.acquire(settings.cancelSignal, settings.onWait);
	}
}

/** A pause drawn uniformly from the range (0 when there is none). Pure. */
export function humanDelay(
	range: StartPacingSettings['humanDelayMs'],
	random: () => number,
): number {
	if (!range || range.max <= 0) return 0;
	const min = Math.max(0, Math.min(range.min, range.max));
	return min + random() * (Math.max(range.min, range.max) - min);
}
