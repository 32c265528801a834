import type { Connection } from '../helpers/connection';
import { endpointKey } from '../helpers/connection';
import type { RateLimitSnapshot, StartDecision } from '../helpers/rateBudget';
import { RateBudget } from '../helpers/rateBudget';
import { RequestCancelledError } from '../transport/cancel';
import { Waiters } from './waiters';

export interface WaitNotice {
	waitMs: number;
	why: string;
}

/**
 * The request budget of one token at one base URL, shared by every execution of this process
 * that uses them. Starts wait here until RateBudget allows them; every answer (its rate-limit
 * headers) wakes the waiters. Across processes, the headers each answer carries are the truth.
 */
export class TokenLimiter {
	private readonly budget = new RateBudget();
	private readonly waiters = new Waiters();

	/** Resolves when a request may start (and counts it as in flight); rejects when cancelled. */
	async acquire(
		signal: AbortSignal | undefined,
		onWait?: (notice: WaitNotice) => void,
	): Promise<void> {
		for (;;) {
			if (signal?.aborted) throw new RequestCancelledError();
			const decision: StartDecision = this.budget.decide(Date.now());
			if (decision.go) {
				this.budget.onStart(Date.now());
				return;
			}
			if (decision.waitMs !== undefined) onWait?.({ waitMs: decision.waitMs, why: decision.why });
			await this.waitForChange(decision.waitMs, signal);
		}
	}

	/** Every started request must be settled exactly once, with the headers of its answer if any. */
	settle(snapshot: RateLimitSnapshot | undefined): void {
		this.budget.onSettled(snapshot);
		this.waiters.wakeAll();
	}

	/** A start that never became a request (cancelled, or no longer wanted). */
	abandon(): void {
		this.budget.onAbandoned();
		this.waiters.wakeAll();
	}

	/** After a 429 (settled already): no start before `untilMs`, and smaller bursts for a while. */
	pauseUntil(untilMs: number): void {
		this.budget.onRejected();
		this.budget.pauseUntil(untilMs);
	}

	/** Until an answer settles, the wait passes, or the execution is cancelled; no timer outlives it. */
	private async waitForChange(
		waitMs: number | undefined,
		signal: AbortSignal | undefined,
	): Promise<void> {
		await new Promise<void>((resolve, reject) => {
			let timer: NodeJS.Timeout | undefined;
			const done = () => {
				if (timer) clearTimeout(timer);
				signal?.removeEventListener('abort', onAbort);
				this.waiters.delete(done);
				resolve();
			};
			const onAbort = () => {
				done();
				reject(new RequestCancelledError());
			};
			this.waiters.add(done);
			if (waitMs !== undefined) timer = setTimeout(done, timerMs(waitMs));
			signal?.addEventListener('abort', onAbort, { once: true });
		});
	}
}

const limiters = new Map<string, TokenLimiter>();

/** The process-wide limiter of a token at a base URL (kept under endpointKey: a hash, never the token). */
export function limiterFor(
	connection: Pick<Connection, 'origin' | 'basePath' | 'token'>,
): TokenLimiter {
	const key = endpointKey(connection);
	let limiter = limiters.get(key);
	if (!limiter) {
		limiter = new TokenLimiter();
		limiters.set(key, limiter);
	}
	return limiter;
}

/** Forgets every limiter (tests). */
export function resetLimiters(): void {
	limiters.clear();
}

/** A wait that ends early, without leaving a timer behind, when the execution is cancelled. */
export async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
	if (signal?.aborted) throw new RequestCancelledError();
	await new Promise<void>((resolve, reject) => {
		const onAbort = () => {
			clearTimeout(timer);
			reject(new RequestCancelledError());
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, timerMs(ms));
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

/** Node fires a timer of more than 2^31−1 ms after 1 ms: a longer wait is cut there (about 24 days). */
function timerMs(ms: number): number {
	return Math.min(Math.max(0, ms), 2 ** 31 - 1);
}
