import type { Failure, Outcome, RawAnswer } from '../helpers/interfaces';
import type { RetryPolicy } from '../helpers/retryPolicy';
import { retryDecision } from '../helpers/retryPolicy';
import type { TokenLimiter } from './tokenLimiter';
import { sleep } from './tokenLimiter';

/** One try's result: the answer and what it means; or not sent (the failure says why). */
export type Attempt<T> =
	{ answer: RawAnswer; outcome: Outcome<T>; transient: boolean } | { notSent: Failure };

/** A task's final result, and how many requests it took (0: not sent). */
export type TaskResult<T> = Outcome<T> & { attempts: number };

export interface RetryLoopSettings {
	retry: RetryPolicy;
	/** Bound on the time one task may spend waiting between its tries. */
	maxRetryWaitMs: number;
	random: () => number;
	cancelSignal?: AbortSignal;
	onWait?: (waitMs: number, why: string) => void;
}

/**
 * Tries one task until its answer is final: retryDecision (helpers/retryPolicy.ts) says whether and
 * when to try again; this loop waits, and stops early when the tries, the total wait or the run's
 * health (`stillSendable`) say so. A 429 pauses the whole token, not only this task.
 */
export async function tryUntilFinal<T>(
	tryOnce: () => Promise<Attempt<T>>,
	limiter: TokenLimiter,
	stillSendable: () => boolean,
	settings: RetryLoopSettings,
): Promise<TaskResult<T>> {
	let waited = 0;
	for (let tries = 1; ; tries++) {
		const attempt = await tryOnce();
		if ('notSent' in attempt) return { ok: false, failure: attempt.notSent, attempts: tries - 1 };
		const { answer, outcome, transient } = attempt;
		const decision = retryDecision(
			answer,
			transient,
			tries,
			settings.retry,
			Date.now(),
			settings.random,
		);
		if (!decision.retry || waited + decision.waitMs > settings.maxRetryWaitMs || !stillSendable()) {
			return { ...outcome, attempts: tries };
		}
		if (decision.rateLimited) limiter.pauseUntil(Date.now() + decision.waitMs);
		settings.onWait?.(decision.waitMs, `${decision.why}, retrying`);
		await sleep(decision.waitMs, settings.cancelSignal);
		waited += decision.waitMs;
	}
}
