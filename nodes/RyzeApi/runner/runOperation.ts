import type { AnswerSpec } from '../shared/classifyAnswer';
import { classifyAnswer } from '../shared/classifyAnswer';
import type { Connection } from '../shared/connection';
import type { ApiRequest, Outcome } from '../shared/interfaces';
import type { RetryPolicy } from './retryPolicy';
import { retryDecision } from './retryPolicy';
import { BODY_LIMIT_BYTES, RequestCancelledError, sendRequest } from '../transport';
import type { Clock } from '../shared/clock';
import { realClock } from '../shared/clock';
import { StartGate } from './startGate';
import { TaskFeed } from './taskFeed';

export { INSTANCE_UNAVAILABLE_STREAK } from './startGate';
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

/**
 * A task's final result, and how many requests it took (0: not sent). `instanceGivenUp`: it failed
 * as "instance unavailable" and, by the end of the run, the gate had given up on its instance.
 */
export type TaskResult<T> = Outcome<T> & { attempts: number; instanceGivenUp?: true };

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
	/** Told about waits long enough that a user would wonder why nothing happens. */
	log?: (message: string) => void;
	/** Time and randomness (the real ones unless a test passes its own). */
	clock?: Clock;
}

/** Waits shorter than this are not worth a log line; at most one line per such span. */
const LONG_WAIT_MS = 5_000;

/**
 * Runs an operation's tasks, at most `concurrency` at a time: each task waits for its turn at the
 * start gate (startGate.ts decides), sends, and tries again while retryDecision
 * (runner/retryPolicy.ts) says so. Results come back in task order; a task not sent has
 * `attempts: 0` and a failure saying why. A cancel stops every worker.
 */
export async function runOperation<T>(
	operation: Operation<T>,
	source: Task[] | TaskFeed<Task>,
	settings: RunnerSettings,
): Promise<Array<TaskResult<T>>> {
	const feed = source instanceof TaskFeed ? source : TaskFeed.of(source);
	const clock = settings.clock ?? realClock;
	const results: Array<TaskResult<T>> = [];
	const onWait = longWaitLog(operation.noun, feed, results, settings.log, clock);
	const gate = new StartGate({ ...settings, onWait }, clock);
	const taskSettings: TaskSettings = {
		...settings,
		retry: { ...settings.retry, idempotent: operation.idempotent },
		clock,
		onWait,
	};

	let next = 0;
	let thrown: { error: unknown } | undefined;
	const worker = async () => {
		while (!thrown) {
			const index = next++;
			const task = await feed.at(index);
			if (!task) return;
			try {
				results[index] = await runTask(task, operation, gate, taskSettings);
			} catch (error) {
				thrown ??= { error };
				feed.stop();
			}
		}
	};

	await Promise.all(Array.from({ length: Math.max(1, settings.concurrency) }, worker));
	if (thrown) throw thrown.error;
	markGivenUpInstances(results, feed.tasks, gate);
	return results;
}

/**
 * The first answers of an unavailable instance come back before the gate gives up on it: only at
 * the end of the run is it known which "instance unavailable" failures were the instance's end.
 */
function markGivenUpInstances<T>(
	results: Array<TaskResult<T>>,
	tasks: readonly Task[],
	gate: StartGate,
): void {
	for (const [index, result] of results.entries()) {
		if (
			result !== undefined &&
			!result.ok &&
			result.failure.reason === 'instance_unavailable' &&
			gate.gaveUpOn(tasks[index].connection)
		)
			result.instanceGivenUp = true;
	}
}

type TaskSettings = RunnerSettings & {
	clock: Clock;
	onWait: (waitMs: number, why: string) => void;
};

/** One task: its turn at the gate, the request, and again while retryDecision says so and the gate still lets it. */
async function runTask<T>(
	task: Task,
	operation: Operation<T>,
	gate: StartGate,
	settings: TaskSettings,
): Promise<TaskResult<T>> {
	const { clock, cancelSignal } = settings;
	const ticket = gate.ticket(task.connection);
	let waited = 0;
	for (let tries = 1; ; tries++) {
		const notSent = await gate.waitForTurn(ticket);
		if (notSent) return { ok: false, failure: notSent, attempts: tries - 1 };
		const answer = await sendRequest(task.connection, operation.request(task.identifier), {
			timeoutMs: settings.timeoutMs,
			cancelSignal,
		}).catch((error: unknown) => {
			// Only a cancellation gets here (sendRequest returns every other failure).
			gate.abandon(ticket);
			throw error;
		});
		const { outcome, transient } = classifyAnswer(answer, BODY_LIMIT_BYTES, operation.answer);
		gate.settle(ticket, answer, outcome);
		const decision = retryDecision(
			answer,
			transient,
			tries,
			settings.retry,
			clock.now(),
			clock.random,
		);
		if (
			!decision.retry ||
			waited + decision.waitMs > settings.maxRetryWaitMs ||
			gate.whyNotSend(ticket) !== undefined
		)
			return { ...outcome, attempts: tries };
		// A 429 pauses the whole token, not only this task.
		if (decision.rateLimited) gate.pauseToken(ticket, clock.now() + decision.waitMs);
		settings.onWait(decision.waitMs, `${decision.why}, retrying`);
		await clock.sleep(decision.waitMs, cancelSignal);
		if (cancelSignal?.aborted) throw new RequestCancelledError();
		waited += decision.waitMs;
	}
}

/** Tells the user about long waits, at most once per LONG_WAIT_MS, with how many tasks are left. */
function longWaitLog(
	noun: string,
	feed: TaskFeed<Task>,
	results: ReadonlyArray<unknown>,
	log: ((message: string) => void) | undefined,
	clock: Clock,
): (waitMs: number, why: string) => void {
	let lastLogAt = -Infinity;
	return (waitMs, why) => {
		if (!log || waitMs < LONG_WAIT_MS || clock.now() - lastLogAt < LONG_WAIT_MS) return;
		lastLogAt = clock.now();
		const total = feed.tasks.length;
		const left = total - results.filter(Boolean).length;
		log(`Waiting ${Math.ceil(waitMs / 1000)} s (${why}); ${left} of ${total} ${noun}s left.`);
	};
}
