/**
 * One Join Group run (version 1.2) and the join ledger: which codes need no request (joined
 * already), which may go now (the budget, reserved in the ledger right before the request), which
 * wait (deferred, with when), what each answer records, and the pause a restriction sets. Ledger
 * calls are batched: one lookup per instance before the run, one reservation per batch of tasks
 * whose turn came together, answers written behind in batches.
 */
import { randomBytes } from 'node:crypto';

import type { Admission, Task, TaskResult } from '../runner/runOperation';
import { clock } from '../shared/clock';
import type { JoinSuccess } from '../shared/groupAnswers';
import type { Failure, Outcome } from '../shared/interfaces';
import type { JoinBudgetRules } from './joinBudget';
import { joinsAllowedNow } from './joinBudget';
import type { JoinLedger } from './joinLedger';
import type { JoinRecord, LedgerInstance } from './records';
import { instanceId } from './records';
import {
	answerOf,
	deferred,
	fromLedger,
	holdMessage,
	ledgerFailure,
	notAJoin,
} from './joinOutcomes';
import type { CodeVerdict, DeferReason, JoinAnswer } from './reservation';
import { causeOf } from './store';

/** The node's options for the number's safety, in ms. */
export interface JoinSafety {
	rules: JoinBudgetRules;
	pendingRecheckMs: number;
	restrictionPauseMs: number;
	throttlePauseMs: number;
}

/** The ledger's view of a connection: its server and instance, never its token. */
export function ledgerInstanceOf(connection: Task['connection']): LedgerInstance {
	return { server: `${connection.origin}${connection.basePath}`, instance: connection.instance };
}

/** How long answers gather before they are written together. */
const ANSWER_BATCH_MS = 25;

interface Hold {
	reason: DeferReason;
	notBefore: number;
	message: string;
}

interface Waiting {
	task: Task;
	resolve: (result: Outcome<JoinSuccess> | undefined) => void;
}

export class JoinAdmission implements Admission<JoinSuccess> {
	/** This run in the ledger: its reservations are told from other runs' by it. */
	readonly run: string;
	private readonly known = new Map<string, JoinRecord>();
	private readonly holds = new Map<string, Hold>();
	/** Codes this run reserved and has no answer for yet, per instance. */
	private readonly reserved = new Map<string, { instance: LedgerInstance; codes: Set<string> }>();
	/** Tries sent and not answered yet (a stopped execution leaves them so), by keyOf. */
	private readonly inFlight = new Set<string>();
	/** Codes a try of which may have reached WhatsApp (an answer that was not "not a join"). */
	private readonly mayHaveJoined = new Set<string>();
	private waiting: Waiting[] = [];
	private reserving = false;
	private readonly writes: Array<Promise<void>> = [];
	private readonly answers = new Map<string, { instance: LedgerInstance; answers: JoinAnswer[] }>();
	private flushing: Promise<void> | undefined;
	/** What could not be written after the joins were made: said at the end, never thrown. */
	readonly unrecorded: string[] = [];

	constructor(
		private readonly ledger: JoinLedger,
		private readonly safety: JoinSafety,
		executionId: string | undefined,
	) {
		this.run = `${executionId ?? 'run'}:${randomBytes(6).toString('hex')}`;
	}

	/** Before any request: one lookup per instance, for the codes already done and a budget at zero. */
	async prepare(tasks: readonly Task[]): Promise<void> {
		const nowMs = clock().now();
		for (const [id, { instance, codes }] of groupByInstance(tasks)) {
			const { known, state } = await this.ledger.lookup(
				instance,
				codes,
				nowMs,
				this.safety.pendingRecheckMs,
			);
			for (const [code, record] of known) this.known.set(keyOf(id, code), record);
			const allowance = joinsAllowedNow(state, this.safety.rules, nowMs);
			if ('hold' in allowance) {
				this.hold(id, allowance.hold, allowance.notBefore, state.pause?.message);
			}
		}
	}

	beforeTurn(task: Task): Outcome<JoinSuccess> | undefined {
		const id = instanceId(ledgerInstanceOf(task.connection));
		const record = this.known.get(keyOf(id, task.identifier));
		if (record) return fromLedger(record);
		return this.held(id);
	}

	async atTurn(task: Task): Promise<Outcome<JoinSuccess> | undefined> {
		const held = this.held(instanceId(ledgerInstanceOf(task.connection)));
		if (held) return held;
		return await new Promise((resolve) => {
			this.waiting.push({ task, resolve });
			if (!this.reserving) void this.reserveAll();
		});
	}

	sending(task: Task): void {
		this.inFlight.add(keyOfTask(task));
	}

	answered(task: Task, outcome: Outcome<JoinSuccess>): void {
		const key = keyOfTask(task);
		this.inFlight.delete(key);
		if (!notAJoin(outcome)) this.mayHaveJoined.add(key);
	}

	settled(task: Task, result: TaskResult<JoinSuccess>): TaskResult<JoinSuccess> {
		if (result.attempts === 0) return result;
		const instance = ledgerInstanceOf(task.connection);
		const id = instanceId(instance);
		if (notAJoin(result)) {
			// The last try was not a join. Were none, the reservation is given back at the end,
			// uncounted; if an earlier one (a timeout, a 5xx) may have joined, it stays counted and
			// `requested` until its lease lapses, so no run sends the code again meanwhile.
			if (this.mayHaveJoined.has(keyOfTask(task)))
				this.reserved.get(id)?.codes.delete(task.identifier);
			return result;
		}
		this.reserved.get(id)?.codes.delete(task.identifier);
		this.queueAnswer(id, instance, answerOf(task.identifier, result));
		if (result.ok) return { ...result, value: { ...result.value, fromLedger: false } };
		if (result.failure.restriction === undefined) return result;
		const pause = this.pauseFor(instance, result.failure);
		return { ...result, failure: { ...result.failure, notBefore: pause } };
	}

	/** After the run: every answer written, every reservation not sent given back. */
	async finish(): Promise<void> {
		await this.flushing;
		await this.flushAnswers();
		const nowMs = clock().now();
		for (const [id, { instance, codes }] of this.reserved) {
			// A try sent and never answered (the execution stopped) may have joined: kept counted.
			const unsent = [...codes].filter((code) => !this.inFlight.has(keyOf(id, code)));
			if (unsent.length === 0) continue;
			this.writes.push(this.ledger.release(instance, unsent, this.run, nowMs));
		}
		const results = await Promise.allSettled(this.writes);
		for (const result of results) {
			if (result.status === 'rejected') this.unrecorded.push(causeOf(result.reason));
		}
	}

	/**
	 * One reservation step at a time: the turns that come while one is written go together in the
	 * next (as a database's group commit), so a step costs no task more waiting and a fast run
	 * takes few steps.
	 */
	private async reserveAll(): Promise<void> {
		this.reserving = true;
		try {
			await new Promise((resolve) => setImmediate(resolve));
			while (this.waiting.length > 0) await this.reserveWaiting();
		} finally {
			this.reserving = false;
		}
	}

	private async reserveWaiting(): Promise<void> {
		const batch = this.waiting;
		this.waiting = [];
		const nowMs = clock().now();
		for (const [id, { instance, codes }] of groupByInstance(batch.map((entry) => entry.task))) {
			const mine = batch.filter(
				(entry) => instanceId(ledgerInstanceOf(entry.task.connection)) === id,
			);
			let verdicts: Map<string, CodeVerdict>;
			try {
				verdicts = await this.ledger.reserve(instance, {
					codes,
					run: this.run,
					nowMs,
					rules: this.safety.rules,
					pendingRecheckMs: this.safety.pendingRecheckMs,
				});
			} catch (error) {
				const failure = ledgerFailure(error);
				for (const entry of mine) entry.resolve({ ok: false, failure });
				continue;
			}
			for (const entry of mine) {
				entry.resolve(this.admit(id, instance, entry.task.identifier, verdicts));
			}
		}
	}

	private admit(
		id: string,
		instance: LedgerInstance,
		code: string,
		verdicts: Map<string, CodeVerdict>,
	): Outcome<JoinSuccess> | undefined {
		const verdict = verdicts.get(code);
		if (!verdict || verdict.kind === 'send') {
			const reserved = this.reserved.get(id) ?? { instance, codes: new Set<string>() };
			reserved.codes.add(code);
			this.reserved.set(id, reserved);
			// A restriction heard while the step was written holds it still: given back at the end.
			return this.held(id);
		}
		if (verdict.kind === 'known') return fromLedger(verdict.record);
		if (verdict.reason !== 'join_in_progress') this.hold(id, verdict.reason, verdict.notBefore);
		return deferred(
			verdict.reason,
			verdict.notBefore,
			holdMessage(verdict.reason, verdict.notBefore),
		);
	}

	/** The run's own hold on an instance, while it lasts. */
	private held(id: string): Outcome<JoinSuccess> | undefined {
		const hold = this.holds.get(id);
		if (!hold) return undefined;
		if (clock().now() >= hold.notBefore) {
			this.holds.delete(id);
			return undefined;
		}
		return deferred(hold.reason, hold.notBefore, hold.message);
	}

	private hold(id: string, reason: DeferReason, notBefore: number, heard?: string): void {
		this.holds.set(id, { reason, notBefore, message: holdMessage(reason, notBefore, heard) });
	}

	/** A restriction heard: no more joins on the instance in this run, and a pause in the ledger. */
	private pauseFor(instance: LedgerInstance, failure: Failure): number {
		const nowMs = clock().now();
		const throttled = failure.restriction === 'throttled';
		const until =
			nowMs + (throttled ? this.safety.throttlePauseMs : this.safety.restrictionPauseMs);
		this.hold(instanceId(instance), 'instance_restricted', until, failure.message);
		const reason = throttled ? ('throttled' as const) : ('restricted' as const);
		const message = failure.message.slice(0, 300);
		this.writes.push(
			this.ledger.pause(instance, { until, reason, message, since: nowMs }).then(() => undefined),
		);
		return until;
	}

	private queueAnswer(id: string, instance: LedgerInstance, answer: JoinAnswer): void {
		const queued = this.answers.get(id) ?? { instance, answers: [] };
		queued.answers.push(answer);
		this.answers.set(id, queued);
		// Written behind, in batches: the answers of the next moment go in one write. Until then
		// the code's reservation stands in the ledger, so no run sends it again meanwhile.
		this.flushing ??= clock()
			.sleep(ANSWER_BATCH_MS)
			.then(async () => await this.flushAnswers());
	}

	private async flushAnswers(): Promise<void> {
		while (this.answers.size > 0) {
			const queued = [...this.answers.values()];
			this.answers.clear();
			for (const { instance, answers } of queued) {
				try {
					await this.ledger.recordAnswers(instance, answers, this.run, clock().now());
				} catch (error) {
					this.unrecorded.push(causeOf(error));
				}
			}
		}
		this.flushing = undefined;
	}
}

function groupByInstance(
	tasks: readonly Task[],
): Map<string, { instance: LedgerInstance; codes: string[] }> {
	const groups = new Map<string, { instance: LedgerInstance; codes: string[] }>();
	for (const task of tasks) {
		const instance = ledgerInstanceOf(task.connection);
		const id = instanceId(instance);
		const group = groups.get(id) ?? { instance, codes: [] };
		group.codes.push(task.identifier);
		groups.set(id, group);
	}
	return groups;
}

function keyOf(id: string, code: string): string {
	return `${id}\n${code}`;
}

function keyOfTask(task: Task): string {
	return keyOf(instanceId(ledgerInstanceOf(task.connection)), task.identifier);
}
