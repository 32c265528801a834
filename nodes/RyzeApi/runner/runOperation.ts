import type { AnswerSpec, Classified } from '../shared/classifyAnswer';
import { classifyAnswer } from '../shared/classifyAnswer';
import { clock } from '../shared/clock';
import type { Connection } from '../shared/connection';
import type { ApiRequest, Outcome, RawAnswer } from '../shared/interfaces';
import { bodyLimitOf, RequestCancelledError, sendRequest } from '../transport';
import type { RetryPolicy } from './retryPolicy';
import { retryDecision } from './retryPolicy';
import type { GateSettings } from './startGate';
import { StartGate } from './startGate';
import type { TaskFeed } from './taskFeed';

/** What the runner needs to know of an operation: its request, how to read its answer, whether repeating it is safe. */
export interface Operation<T> {
	/** What one task is called in log lines: "join", "preview". */
	noun: string;
	request(identifier: string): ApiRequest;
	answer: AnswerSpec<T>;
	/** Repeating the request does no harm (otherwise only a 429 is tried again). */
	idempotent: boolean;
	/** The operation's own second reading of an answer (Join 1.2: a restriction is not retried). */
	reread?(answer: RawAnswer, classified: Classified<T>): Classified<T>;
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

/**
 * What may hold a task back beyond the gate, and hears how it ended: the join ledger
 * (ledger/joinAdmission.ts). Its answers are the task's result when the task is not sent.
 */
export interface Admission<T> {
	/** Before the task waits for its turn, from what is known already (no I/O): a result, or go on. */
	beforeTurn(task: Task): Outcome<T> | undefined;
	/**
	 * Its first turn has come: may it be sent now? A result instead when not. A retry asks
	 * `beforeTurn` again instead: what it was admitted for stands, a hold heard since does not.
	 */
	atTurn(task: Task): Promise<Outcome<T> | undefined>;
	/** A try is about to be sent: from here it may have taken effect, answered or not. */
	sending(task: Task): void;
	/** A try's answer, before the retry decision. */
	answered(task: Task, outcome: Outcome<T>): void;
	/** How the task ended; what it returns is the task's result. */
	settled(task: Task, result: TaskResult<T>): TaskResult<T>;
}

/** How a run goes: what the node's options say, in ms. */
export interface RunnerSettings extends Omit<GateSettings, 'onWait'> {
	/** Requests in flight at most (the token's remaining budget may allow fewer). */
	concurrency: number;
	timeoutMs: number;
	/** Whether the operation is idempotent comes from the operation, not the options. */
	retry: Omit<RetryPolicy, 'idempotent'>;
	/** Told about waits long enough that a user would wonder why nothing happens. */
	log?: (message: string) => void;
}

/** Waits shorter than this are not worth a log line; at most one line per such span. */
const LONG_WAIT_MS = 5_000;

/**
 * Runs an operation's tasks, at most `concurrency` at a time: each task waits for its turn at the
 * start gate (startGate.ts decides), sends, and tries again while retryDecision (retryPolicy.ts)
 * says so. Results come back in task order; a task not sent has `attempts: 0` and a failure
 * saying why. A cancel stops every worker.
 */
export async function runOperation<T>(
	operation: Operation<T>,
	feed: TaskFeed<Task>,
	settings: RunnerSettings,
	admission?: Admission<T>,
): Promise<Array<TaskResult<T>>> {
	const run = new OperationRun(operation, feed, settings, admission);
	await Promise.all(Array.from({ length: Math.max(1, settings.concurrency) }, run.work));
	return run.results();
}

class OperationRun<T> {
	private readonly done: Array<TaskResult<T>> = [];
	private readonly gate: StartGate;
	private readonly retry: RetryPolicy;
	private next = 0;
	private thrown: { error: unknown } | undefined;
	private lastLogAt = -Infinity;

	constructor(
		private readonly operation: Operation<T>,
		private readonly feed: TaskFeed<Task>,
		private readonly settings: RunnerSettings,
		private readonly admission: Admission<T> | undefined,
	) {
		this.gate = new StartGate({ ...settings, onWait: this.onWait });
		this.retry = { ...settings.retry, idempotent: operation.idempotent };
	}

	/**
	 * One worker: takes the next task, waits for its turn at the gate, sends, and sends again
	 * while retryDecision says so. A cancel (the only error) stops every worker.
	 */
	work = async (): Promise<void> => {
		while (!this.thrown) {
			const index = this.next++;
			const task = await this.feed.at(index);
			if (!task) return;
			try {
				const result = await this.runTask(task);
				this.done[index] = this.admission ? this.admission.settled(task, result) : result;
			} catch (error) {
				this.thrown ??= { error };
				this.feed.stop();
			}
		}
	};

	/**
	 * One task: its turn at the gate (and the admission's word), the request, and again while
	 * retryDecision says so. Rejects only when the execution is cancelled.
	 */
	private async runTask(task: Task): Promise<TaskResult<T>> {
		const { cancelSignal, timeoutMs } = this.settings;
		const held = this.admission?.beforeTurn(task);
		if (held) return { ...held, attempts: 0 };
		const ticket = this.gate.ticket(task.connection);
		const soFar = { tries: 0, waitedMs: 0, stopped: false };
		for (;;) {
			const notSent = await this.gate.waitForTurn(ticket);
			if (notSent) return { ok: false, failure: notSent, attempts: soFar.tries };
			const refused =
				soFar.tries === 0 ? await this.admission?.atTurn(task) : this.admission?.beforeTurn(task);
			if (refused) {
				this.gate.abandon(ticket);
				return { ...refused, attempts: soFar.tries };
			}
			soFar.tries++;
			const request = this.operation.request(task.identifier);
			this.admission?.sending(task);
			const answer = await sendRequest(task.connection, request, { timeoutMs, cancelSignal }).catch(
				(error: unknown) => {
					this.gate.abandon(ticket);
					throw error;
				},
			);
			const { outcome, transient } = this.classify(answer, bodyLimitOf(request));
			this.admission?.answered(task, outcome);
			this.gate.settle(ticket, answer, outcome);
			soFar.stopped = this.gate.whyNotSend(ticket) !== undefined;
			const now = clock().now();
			const decision = retryDecision(transient, soFar, this.retry, now, clock().random);
			if (!decision.retry) return { ...outcome, attempts: soFar.tries };
			if (decision.pausesToken) this.gate.pauseToken(ticket, now + decision.waitMs);
			this.onWait(decision.waitMs, `${decision.why}, retrying`);
			await clock().sleep(decision.waitMs, cancelSignal);
			if (cancelSignal?.aborted) throw new RequestCancelledError();
			soFar.waitedMs += decision.waitMs;
		}
	}

	private classify(answer: RawAnswer, bodyLimitBytes: number): Classified<T> {
		const classified = classifyAnswer(answer, bodyLimitBytes, this.operation.answer);
		return this.operation.reread ? this.operation.reread(answer, classified) : classified;
	}

	/** Every task's result, in task order; throws what stopped the run. */
	results(): Array<TaskResult<T>> {
		if (this.thrown) throw this.thrown.error;
		// The first answers of an unavailable instance come back before the gate gives up on it:
		// only now is it known which "instance unavailable" failures were the instance's end.
		for (const [index, result] of this.done.entries()) {
			const { connection } = this.feed.tasks[index];
			if (
				!result.ok &&
				result.failure.reason === 'instance_unavailable' &&
				this.gate.gaveUpOn(connection)
			)
				result.instanceGivenUp = true;
		}
		return this.done;
	}

	/** Tells the user about long waits, at most once per LONG_WAIT_MS, with how many tasks are left. */
	private onWait = (waitMs: number, why: string): void => {
		const { log } = this.settings;
		const now = clock().now();
		if (!log || waitMs < LONG_WAIT_MS || now - this.lastLogAt < LONG_WAIT_MS) return;
		this.lastLogAt = now;
		const total = this.feed.tasks.length;
		const left = total - this.done.filter(Boolean).length;
		log(
			`Waiting ${Math.ceil(waitMs / 1000)} s (${why}); ${left} of ${total} ${this.operation.noun}s left.`,
		);
	};
}
