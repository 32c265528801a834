/**
 * Whether a task's request is sent again, and after how long: the one place that decides it. A
 * pure function of why the answer may be better next time (classifyAnswer's `Transient`), the
 * tries and waits so far, the policy, a time and a random number. The loop that waits and sends
 * again is runOperation.ts; this file never waits.
 */
import type { Transient } from '../shared/classifyAnswer';
import {
	MIN_RATE_LIMIT_WAIT_MS,
	parseRetryAfter,
	RESET_MARGIN_MS,
} from '../shared/rateLimitHeaders';

export interface RetryPolicy {
	/** Attempts in all, the first included. */
	maxTries: number;
	/** Base of the exponential backoff. */
	baseDelayMs: number;
	/** Cap of one backoff wait. */
	maxDelayMs: number;
	/** Bound on the time one task may spend waiting between its tries, in all. */
	maxRetryWaitMs: number;
	/**
	 * Whether the operation may be repeated safely (default true). When it may not, only a 429 is
	 * tried again: the API refused that request before acting on it.
	 */
	idempotent?: boolean;
}

/** Where a task stands: tries made, time waited between them, and whether the gate stopped it. */
export interface TaskSoFar {
	tries: number;
	waitedMs: number;
	/** The start gate will not send it again (a refused token, an instance given up on). */
	stopped: boolean;
}

export type RetryDecision =
	{ retry: false } | { retry: true; waitMs: number; why: string; pausesToken: boolean };

const NO_RETRY: RetryDecision = { retry: false };

/**
 * Retried: what classifyAnswer calls transient — no answer (reset, refused, timeout), a 429 (until
 * Retry-After, else the announced reset, at least 1 s; with requests remaining, WhatsApp
 * throttling: backoff), 5xx and a 2xx whose body could not be read — and, for an operation that
 * is not idempotent, only the 429. Never retried: other 4xx, 3xx and answers that were
 * understood; nor once the tries, the task's wait budget or the gate say no.
 */
export function retryDecision(
	transient: Transient | undefined,
	soFar: TaskSoFar,
	policy: RetryPolicy,
	nowMs: number,
	random: () => number,
): RetryDecision {
	if (transient === undefined || soFar.stopped || soFar.tries >= policy.maxTries) return NO_RETRY;
	const refusedBeforeActing = transient.kind === 'rateLimited' || transient.kind === 'throttled';
	if (policy.idempotent === false && !refusedBeforeActing) return NO_RETRY;
	const wait = waitBeforeRetry(transient, soFar.tries, policy, nowMs, random);
	if (soFar.waitedMs + wait.waitMs > policy.maxRetryWaitMs) return NO_RETRY;
	return { retry: true, ...wait };
}

function waitBeforeRetry(
	transient: Transient,
	tries: number,
	policy: RetryPolicy,
	nowMs: number,
	random: () => number,
): { waitMs: number; why: string; pausesToken: boolean } {
	const backoff = fullJitterBackoff(tries, policy, random);
	switch (transient.kind) {
		case 'noAnswer':
			return {
				waitMs: backoff,
				why: transient.timeout ? 'no answer in time' : 'could not reach RyzeAPI',
				pausesToken: false,
			};
		case 'failing':
			return { waitMs: backoff, why: `HTTP ${transient.status}`, pausesToken: false };
		case 'throttled':
			return {
				waitMs: Math.max(MIN_RATE_LIMIT_WAIT_MS, backoff),
				why: 'throttled by WhatsApp',
				pausesToken: true,
			};
		case 'rateLimited': {
			// A 429 pauses the whole token, not only this task.
			const retryAfter = parseRetryAfter(transient.retryAfter, nowMs);
			if (retryAfter !== undefined) {
				return {
					waitMs: Math.max(MIN_RATE_LIMIT_WAIT_MS, retryAfter),
					why: 'rate limited (Retry-After)',
					pausesToken: true,
				};
			}
			const window = transient.window;
			const untilReset = window ? window.resetAtMs + RESET_MARGIN_MS - nowMs : backoff;
			return {
				waitMs: Math.max(MIN_RATE_LIMIT_WAIT_MS, untilReset),
				why: 'rate limit reached',
				pausesToken: true,
			};
		}
	}
}

/** "Full jitter": uniformly random in [0, min(cap, base·2^(n−1))], so retries from many clients spread out. */
function fullJitterBackoff(
	triesSoFar: number,
	policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
	random: () => number,
): number {
	const ceiling = Math.min(
		policy.maxDelayMs,
		policy.baseDelayMs * 2 ** Math.max(0, triesSoFar - 1),
	);
	return Math.floor(random() * ceiling);
}
