import type { AnswerSpec } from '../helpers/classifyAnswer';
import { classifyAnswer } from '../helpers/classifyAnswer';
import type { Connection } from '../helpers/connection';
import type { ApiRequest } from '../helpers/interfaces';
import { readRateLimitHeaders } from '../helpers/rateBudget';
import type { RetryPolicy } from '../helpers/retryPolicy';
import { BODY_LIMIT_BYTES, sendRequest } from '../transport';
import { RunHealth } from './health';
import type { Attempt, TaskResult } from './retryLoop';
import { tryUntilFinal } from './retryLoop';
import { StartPacer } from './startPacing';
import { TaskFeed } from './taskFeed';
import type { TokenLimiter } from './tokenLimiter';
import { limiterFor } from './tokenLimiter';

export { INSTANCE_UNAVAILABLE_STREAK } from './health';
export type { TaskResult } from './retryLoop';
export { TaskFeed } from './taskFeed';

/** What the runner needs to know of an operation: its request, how to read its answer, whether repeating it is safe. */
export interface Operation<T> {
	/** What one task is called in log lines: "join", "preview". */
	noun: string;
	request(identifier: string): ApiRequest;
	answer: AnswerSpec<T>;
	/** Repeating the request does no harm (otherwise only a 429 is tried again). */
	idempotent: boolean;
}

/** One request to make: where, and for which group (the identifier as the operation sends it). */
export interface Task {
	connection: Connection;
	identifier: string;
}

export interface RunnerSettings {
	/** Requests in flight at most (the token's remaining budget may allow fewer). */
	concurrency: number;
	timeoutMs: number;
	retry: RetryPolicy;
	/** Bound on the time one task may spend waiting between its tries. */
	maxRetryWaitMs: number;
	/** Least time between two request starts of this run (a rate cap below the provider's). */
	minIntervalMs: number;
	/** A random pause between requests, like a person joining groups one by one. */
	humanDelayMs?: { min: number; max: number };
	cancelSignal?: AbortSignal;
	random?: () => number;
	/** Told about waits long enough that a user would wonder why nothing happens. */
	log?: (message: string) => void;
	/** What counts as long enough to tell (default 5 s); at most one message per such span. */
	logWaitsOverMs?: number;
}

const LONG_WAIT_MS = 5_000;

/**
 * Runs an operation's tasks, at most `concurrency` at a time, within the token's rate limit
 * (startPacing.ts), retrying what is worth retrying (retryLoop.ts), and stopping calls to a token
 * or an instance that cannot answer (health.ts). Results come back in task order; a task not
 * sent has `attempts: 0` and a failure saying why.
 */
export async function runOperation<T>(
	operation: Operation<T>,
	source: Task[] | TaskFeed<Task>,
	settings: RunnerSettings,
): Promise<Array<TaskResult<T>>> {
	const feed = source instanceof TaskFeed ? source : TaskFeed.of(source);
	const random = settings.random ?? Math.random;
	const health = new RunHealth();
	const results: Array<TaskResult<T>> = [];
	let finished = 0;

	let lastLogAt = -Infinity;
	const longWaitMs = settings.logWaitsOverMs ?? LONG_WAIT_MS;
	const logWait = (waitMs: number, why: string) => {
		if (!settings.log || waitMs < longWaitMs || Date.now() - lastLogAt < longWaitMs) return;
		lastLogAt = Date.now();
		const total = feed.tasks.length;
		settings.log(
			`Waiting ${Math.ceil(waitMs / 1000)} s (${why}); ${total - finished} of ${total} ${operation.noun}s left.`,
		);
	};

	const pacer = new StartPacer({
		minIntervalMs: settings.minIntervalMs,
		humanDelayMs: settings.humanDelayMs,
		random,
		cancelSignal: settings.cancelSignal,
		onWait: ({ waitMs, why }) => logWait(waitMs, why),
	});
	const retry = { ...settings.retry, idempotent: operation.idempotent };

	/** One request, unless meanwhile the token was refused or the instance reported unavailable. */
	const sendOnce = async (task: Task, limiter: TokenLimiter): Promise<Attempt<T>> => {
		await pacer.waitToStart(limiter);
		const notSent = health.whyNotSend(task.connection);
		if (notSent) {
			limiter.abandon();
			return { notSent };
		}
		const answer = await sendRequest(task.connection, operation.request(task.identifier), {
			timeoutMs: settings.timeoutMs,
			cancelSignal: settings.cancelSignal,
		}).catch((error: unknown) => {
			// Only a cancellation gets here (sendRequest returns every other failure): let it through as is.
			limiter.abandon();
			throw error;
		});
		const { outcome, transient } = classifyAnswer(answer, BODY_LIMIT_BYTES, operation.answer);
		// Before the waiters wake: none of them may send with a token the API just refused.
		health.note(task.connection, answer, outcome);
		limiter.settle(answer.kind === 'http' ? readRateLimitHeaders(answer.headers) : undefined);
		return { answer, outcome, transient };
	};

	const runTask = async (task: Task): Promise<TaskResult<T>> => {
		const limiter = limiterFor(task.connection);
		return await tryUntilFinal(
			async () =>
				await pacer.afterFirst(
					async () =>
						await health.inTurn(task.connection, async () => await sendOnce(task, limiter)),
				),
			limiter,
			() => health.whyNotSend(task.connection) === undefined,
			{
				retry,
				maxRetryWaitMs: settings.maxRetryWaitMs,
				random,
				cancelSignal: settings.cancelSignal,
				onWait: logWait,
			},
		);
	};

	// A cancel (or a bug) in one worker stops the others from starting anything new.
	let next = 0;
	let thrown: { error: unknown } | undefined;
	const worker = async () => {
		while (!thrown) {
			const index = next++;
			const task = await feed.at(index);
			if (!task) return;
			try {
				const notSent = health.whyNotSend(task.connection);
				results[index] = notSent
					? { ok: false, failure: notSent, attempts: 0 }
					: await runTask(task);
			} catch (error) {
				thrown ??= { error };
				feed.stop();
			}
			finished++;
		}
	};

	await Promise.all(Array.from({ length: Math.max(1, settings.concurrency) }, worker));
	if (thrown) throw thrown.error;
	return results;
}
