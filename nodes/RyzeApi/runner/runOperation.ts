import { classifyAnswer } from '../helpers/classifyAnswer';
import type { Connection } from '../helpers/connection';
import type { JoinFailure, JoinOutcome, RawAnswer } from '../helpers/interfaces';
import type { RetryPolicy } from '../helpers/retryPolicy';
import { readRateLimitHeaders } from '../helpers/rateBudget';
import { retryDecision } from '../helpers/retryPolicy';
import { BODY_LIMIT_BYTES, postJoinGroup } from '../transport';
import type { TokenLimiter } from './tokenLimiter';
import { limiterFor, sleep } from './tokenLimiter';

export interface JoinTask {
	connection: Connection;
	code: string;
}

export interface RunnerSettings {
	/** Requests in flight at most (the token's remaining budget may allow fewer). */
	concurrency: number;
	timeoutMs: number;
	retry: RetryPolicy;
	/** Bound on the time one join may spend waiting between its attempts. */
	maxRetryWaitMs: number;
	/** Least time between two request starts of this run (a rate cap below the provider's). */
	minIntervalMs: number;
	/** A random pause between joins, like a person joining groups one by one. */
	humanDelayMs?: { min: number; max: number };
	cancelSignal?: AbortSignal;
	random?: () => number;
	/** Told about waits long enough that a user would wonder why nothing happens. */
	log?: (message: string) => void;
	/** What counts as long enough to tell (default 5 s); at most one message per such span. */
	logWaitsOverMs?: number;
}

/**
 * A task's result: the classified final answer; or not sent, because the token was refused or the
 * instance reported unavailable too often earlier in the run (the failure says which, and why).
 */
export type TaskResult =
	{ sent: true; outcome: JoinOutcome; attempts: number } | { sent: false; failure: JoinFailure };

/** Answers in a row saying the instance is unavailable, after which the run stops calling it. */
export const INSTANCE_UNAVAILABLE_STREAK = 3;

const LONG_WAIT_MS = 5_000;

/**
 * The tasks of a run, handed over while the items are still being read, so that reading (n8n's
 * expression evaluation) overlaps the requests instead of delaying the first one.
 */
export class TaskFeed {
	readonly tasks: JoinTask[] = [];
	private closed = false;
	private stopped = false;
	private wakers: Array<() => void> = [];

	push(task: JoinTask): number {
		const index = this.tasks.push(task) - 1;
		this.wake();
		return index;
	}

	/** No more tasks will come; those pushed are still run. */
	close(): void {
		this.closed = true;
		this.wake();
	}

	/** No task not yet taken will be run. */
	stop(): void {
		this.stopped = true;
		this.close();
	}

	/** The task at `index` once pushed; undefined when none will come. */
	async at(index: number): Promise<JoinTask | undefined> {
		while (!this.stopped && index >= this.tasks.length) {
			if (this.closed) return undefined;
			await new Promise<void>((resolve) => this.wakers.push(resolve));
		}
		return this.stopped ? undefined : this.tasks[index];
	}

	private wake(): void {
		const wakers = this.wakers;
		this.wakers = [];
		for (const wake of wakers) wake();
	}
}

/**
 * Sends the joins, at most `concurrency` at a time and within the token's rate limit, retrying
 * what is worth retrying. Results come back in task order. After a refused token (401, or a 403
 * for the instance) no further request starts; after INSTANCE_UNAVAILABLE_STREAK answers in a
 * row saying an instance is unavailable, none for that instance: such tasks are returned as not sent.
 */
export async function runJoins(
	source: JoinTask[] | TaskFeed,
	settings: RunnerSettings,
): Promise<TaskResult[]> {
	const feed = source instanceof TaskFeed ? source : closedFeed(source);
	const { tasks } = feed;
	const random = settings.random ?? Math.random;
	const results: TaskResult[] = [];
	let next = 0;
	let finished = 0;
	let refusedToken: JoinFailure | undefined;
	const unavailableStreak = new Map<string, number>();
	const unavailableInstance = new Map<string, JoinFailure>();
	const instanceKey = ({ origin, basePath, instance }: JoinTask['connection']) =>
		`${origin}${basePath}\n${instance}`;

	/** Why a task must not be sent any more, if it must not. */
	const notSendable = (task: JoinTask): JoinFailure | undefined => {
		if (refusedToken) {
			return {
				...refusedToken,
				message: `Not sent: RyzeAPI refused the token on an earlier item (${refusedToken.message}).`,
			};
		}
		const down = unavailableInstance.get(instanceKey(task.connection));
		if (down) {
			const message = `Not sent: instance ${JSON.stringify(task.connection.instance)} was reported unavailable ${INSTANCE_UNAVAILABLE_STREAK} times in a row (${down.message}).`;
			return { ...down, message };
		}
		return undefined;
	};

	/** Counts answers saying the instance is unavailable; any other answer from the API resets it. */
	const noteInstance = (task: JoinTask, answer: RawAnswer, outcome: JoinOutcome) => {
		const key = instanceKey(task.connection);
		if (!outcome.ok && outcome.failure.reason === 'instance_unavailable') {
			const streak = (unavailableStreak.get(key) ?? 0) + 1;
			unavailableStreak.set(key, streak);
			if (streak >= INSTANCE_UNAVAILABLE_STREAK && !unavailableInstance.has(key))
				unavailableInstance.set(key, outcome.failure);
		} else if (answer.kind === 'http') {
			unavailableStreak.set(key, 0);
		}
	};
	let nextStartAt = 0;
	let lastLogAt = -Infinity;

	const longWaitMs = settings.logWaitsOverMs ?? LONG_WAIT_MS;
	const log = (waitMs: number, why: string) => {
		if (!settings.log || waitMs < longWaitMs || Date.now() - lastLogAt < longWaitMs) return;
		lastLogAt = Date.now();
		settings.log(
			`Waiting ${Math.ceil(waitMs / 1000)} s (${why}); ${tasks.length - finished} of ${tasks.length} joins left.`,
		);
	};

	/** Spaces request starts of this run by the rate cap and the human delay. */
	const waitForStartSlot = async () => {
		const gap = Math.max(settings.minIntervalMs, humanDelay(settings.humanDelayMs, random));
		const now = Date.now();
		const startAt = Math.max(now, nextStartAt);
		nextStartAt = startAt + gap;
		if (startAt > now) {
			log(startAt - now, 'pacing between joins');
			await sleep(startAt - now, settings.cancelSignal);
		}
	};

	type Attempt = { answer: RawAnswer; outcome: JoinOutcome } | { notSent: JoinFailure };
	// The run's first request goes alone: its answer checks the token and tells the budget
	// before more requests are spent.
	let firstRequest: Promise<Attempt> | undefined;
	const attempt = async (task: JoinTask, limiter: TokenLimiter): Promise<Attempt> => {
		if (!firstRequest) {
			firstRequest = send(task, limiter);
			return await firstRequest;
		}
		await firstRequest.catch(() => undefined);
		return await send(task, limiter);
	};

	// While an instance answers "unavailable", its requests go one at a time, each waiting for the
	// one before to be answered: a dead instance then costs a few requests, not a batch.
	const oneAtATime = new Map<string, Promise<void>>();

	/** One request, unless meanwhile the token was refused or the instance reported unavailable. */
	const send = async (task: JoinTask, limiter: TokenLimiter): Promise<Attempt> => {
		const key = instanceKey(task.connection);
		if ((unavailableStreak.get(key) ?? 0) === 0) return await sendNow(task, limiter);
		const previous = oneAtATime.get(key) ?? Promise.resolve();
		let release = () => {};
		const mine = new Promise<void>((resolve) => (release = resolve));
		oneAtATime.set(
			key,
			previous.then(async () => await mine),
		);
		try {
			await previous;
			return await sendNow(task, limiter);
		} finally {
			release();
		}
	};

	const sendNow = async (task: JoinTask, limiter: TokenLimiter): Promise<Attempt> => {
		await waitForStartSlot();
		await limiter.acquire(settings.cancelSignal, ({ waitMs, why }) => log(waitMs, why));
		const notSent = notSendable(task);
		if (notSent) {
			limiter.abandon();
			return { notSent };
		}
		let answer: RawAnswer;
		try {
			answer = await postJoinGroup(task.connection, task.code, {
				timeoutMs: settings.timeoutMs,
				cancelSignal: settings.cancelSignal,
			});
		} catch (error) {
			limiter.abandon();
			// Only a cancellation gets here (postJoinGroup returns every other failure): let it through as is.
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
			throw error;
		}
		const outcome = classifyAnswer(answer, BODY_LIMIT_BYTES);
		// Before the waiters wake: none of them may send with a token the API just refused.
		if (!outcome.ok && outcome.failure.reason === 'unauthorized') refusedToken ??= outcome.failure;
		noteInstance(task, answer, outcome);
		limiter.settle(answer.kind === 'http' ? readRateLimitHeaders(answer.headers) : undefined);
		return { answer, outcome };
	};

	// A run's tasks share one endpoint (the instance aside): find its limiter once, not per task.
	const limiters = new Map<string, TokenLimiter>();
	const limiterOf = ({ origin, basePath, token }: JoinTask['connection']) => {
		const key = `${origin}${basePath}\n${token}`;
		let limiter = limiters.get(key);
		if (!limiter) {
			limiter = limiterFor(origin, basePath, token);
			limiters.set(key, limiter);
		}
		return limiter;
	};

	const runTask = async (task: JoinTask): Promise<TaskResult> => {
		const limiter = limiterOf(task.connection);
		let waited = 0;
		for (let tries = 1; ; tries++) {
			const result = await attempt(task, limiter);
			if ('notSent' in result) return { sent: false, failure: result.notSent };
			const { answer, outcome } = result;
			const decision = retryDecision(answer, tries, settings.retry, Date.now(), random);
			if (
				!decision.retry ||
				waited + decision.waitMs > settings.maxRetryWaitMs ||
				notSendable(task)
			) {
				return { sent: true, outcome, attempts: tries };
			}
			if (decision.rateLimited) limiter.pauseUntil(Date.now() + decision.waitMs);
			log(decision.waitMs, `${decision.why}, retrying`);
			await sleep(decision.waitMs, settings.cancelSignal);
			waited += decision.waitMs;
		}
	};

	// A cancel (or a bug) in one worker stops the others from starting anything new.
	let thrown: { error: unknown } | undefined;
	const worker = async () => {
		while (!thrown) {
			const index = next++;
			const task = await feed.at(index);
			if (!task) return;
			try {
				const notSent = notSendable(task);
				results[index] = notSent ? { sent: false, failure: notSent } : await runTask(task);
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

function humanDelay(range: RunnerSettings['humanDelayMs'], random: () => number): number {
	if (!range || range.max <= 0) return 0;
	const min = Math.max(0, Math.min(range.min, range.max));
	return min + random() * (Math.max(range.min, range.max) - min);
}

function closedFeed(tasks: JoinTask[]): TaskFeed {
	const feed = new TaskFeed();
	for (const task of tasks) feed.push(task);
	feed.close();
	return feed;
}
