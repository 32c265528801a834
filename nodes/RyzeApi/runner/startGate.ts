/**
 * Whether a request may start now: the one place that decides it. `StartGate.decide` asks, in
 * this order:
 * 1. Is the token refused, or the instance given up on? Then the task is not sent.
 * 2. Must this request go alone? The run's first request, until answered (it checks the token and
 *    the instance before more are spent); and, while an instance answers "unavailable", its
 *    requests one at a time (a dead instance costs a few requests, not a batch).
 * 3. Has the run's own spacing passed: Max Requests Per Minute and the human-like delay?
 * 4. Does the token's budget allow it (TokenBudget.decide in tokenBudget.ts, from the rate-limit headers,
 *    shared by the runs of the process): the first request of a window goes alone, until its
 *    answer tells what the window holds; then each process takes its share of what remains.
 * Everything else only asks: the runner waits in `waitForTurn` and reports every answer through
 * `settle`. Whether to try again is decided in runner/retryPolicy.ts.
 */
import type { Clock } from '../shared/clock';
import { clock } from '../shared/clock';
import type { Connection } from '../shared/connection';
import { endpointKey, instanceKey } from '../shared/connection';
import type { Failure, Outcome, RawAnswer } from '../shared/interfaces';
import { readRateLimitHeaders } from '../shared/rateLimitHeaders';
import { RequestCancelledError } from '../transport/cancel';
import type { BudgetDecision } from './tokenBudget';
import { TokenBudget, untilAnswered } from './tokenBudget';
import { Waiters } from './waiters';

/** Answers in a row saying the instance is unavailable, after which the run stops calling it. */
export const INSTANCE_UNAVAILABLE_STREAK = 3;

/** What the gate says: go, wait, or never (the failure says why the task is not sent). */
export type StartDecision = BudgetDecision | { go: false; notSent: Failure };

export interface GateSettings {
	/** Least time between two request starts of this run (a rate cap below the provider's). */
	minIntervalMs: number;
	/** A random pause between requests, like a person joining groups one by one. */
	humanDelayMs?: { min: number; max: number };
	cancelSignal?: AbortSignal;
	/** Told about every timed wait, with what it waits for. */
	onWait?: (waitMs: number, why: string) => void;
}

/** A task as the gate knows it: its connection, and the state it shares with other tasks. */
export interface GateTicket {
	connection: Connection;
	token: SharedToken;
	instance: InstanceHealth;
}

interface InstanceHealth {
	key: string;
	/** Answers in a row saying the instance is unavailable. */
	unavailableStreak: number;
	givenUp?: Failure;
	/** This run's requests to the instance not yet answered. */
	inFlight: number;
}

/**
 * One run's gate. The token budgets it consults are shared by every run of the process that uses
 * the same clock (n8n's executions all use the real one); its health and spacing are its own.
 */
export class StartGate {
	private refusedToken: Failure | undefined;
	private readonly instances = new Map<string, InstanceHealth>();
	private firstSent = false;
	private firstAnswered = false;
	private nextStartAt = 0;
	/** The last start, and the spacing before it: given back if that start never becomes a request. */
	private lastStart: { ticket: GateTicket; nextStartAtBefore: number } | undefined;
	/** The clock in use when the run started: its token budgets are those of that clock. */
	private readonly clock = clock();

	constructor(private readonly settings: GateSettings) {}

	/** What the gate needs of a task, looked up once per task. */
	ticket(connection: Connection): GateTicket {
		const key = instanceKey(connection);
		let instance = this.instances.get(key);
		if (!instance) {
			instance = { key, unavailableStreak: 0, inFlight: 0 };
			this.instances.set(key, instance);
		}
		return { connection, token: sharedToken(this.clock, connection), instance };
	}

	/** The decision, from the state alone: no waiting, no clock but `nowMs`. */
	decide(ticket: GateTicket, nowMs: number): StartDecision {
		const notSent = this.whyNotSend(ticket);
		if (notSent) return { go: false, notSent };
		if (this.firstSent && !this.firstAnswered)
			return untilAnswered('waiting for the first answer of the run');
		if (ticket.instance.unavailableStreak > 0 && ticket.instance.inFlight > 0)
			return untilAnswered('instance unavailable, one request at a time');
		if (nowMs < this.nextStartAt)
			return { go: false, waitMs: this.nextStartAt - nowMs, why: 'pacing between requests' };
		return ticket.token.budget.decide(nowMs);
	}

	/**
	 * Resolves when the task may send (counted as in flight until `settle` or `abandon`), or with
	 * the failure that says why it must not; rejects when the execution is cancelled.
	 */
	async waitForTurn(ticket: GateTicket): Promise<Failure | undefined> {
		const { cancelSignal, onWait } = this.settings;
		for (;;) {
			if (cancelSignal?.aborted) throw new RequestCancelledError();
			const nowMs = this.clock.now();
			const decision = this.decide(ticket, nowMs);
			if (decision.go) {
				this.start(ticket, nowMs);
				return undefined;
			}
			if ('notSent' in decision) return decision.notSent;
			if (decision.waitMs !== undefined) onWait?.(decision.waitMs, decision.why);
			await this.waitForChange(ticket.token, decision.waitMs);
		}
	}

	/** Every started request is settled once with its answer, before the task decides on a retry. */
	settle(ticket: GateTicket, answer: RawAnswer, outcome: Outcome<unknown>): void {
		this.finish(ticket);
		// A request was made: the pause after it stands.
		if (this.lastStart?.ticket === ticket) this.lastStart = undefined;
		this.firstAnswered = true;
		// Before the waiters wake: none of them may send with a token the API just refused.
		this.noteHealth(ticket, answer, outcome);
		const snapshot = answer.kind === 'http' ? readRateLimitHeaders(answer.headers) : undefined;
		ticket.token.budget.onSettled(snapshot);
		ticket.token.waiters.wakeAll();
	}

	/**
	 * A start that never became a request (cancelled, or held back by the join ledger): its place,
	 * its share of the token's budget and, when it was the last start, the pause it set are given
	 * back, so the tasks waiting behind it do not each wait a human-like delay for nothing.
	 */
	abandon(ticket: GateTicket): void {
		this.finish(ticket);
		if (this.lastStart?.ticket === ticket) {
			this.nextStartAt = this.lastStart.nextStartAtBefore;
			this.lastStart = undefined;
		}
		// The run's first request did not go: the next start is the first again.
		if (!this.firstAnswered) this.firstSent = false;
		ticket.token.budget.onAbandoned();
		ticket.token.waiters.wakeAll();
	}

	/** After a 429 (settled already): no start on the token before `untilMs`, and smaller bursts. */
	pauseToken(ticket: GateTicket, untilMs: number): void {
		ticket.token.budget.onRejected();
		ticket.token.budget.pauseUntil(untilMs);
	}

	/** Why a task must not be sent any more, if it must not. */
	whyNotSend(ticket: GateTicket): Failure | undefined {
		if (this.refusedToken) {
			const message = `Not sent: RyzeAPI refused the token on an earlier item (${this.refusedToken.message}).`;
			return { ...this.refusedToken, message };
		}
		const down = ticket.instance.givenUp;
		if (!down) return undefined;
		const message = `Not sent: instance ${JSON.stringify(ticket.connection.instance)} was reported unavailable ${INSTANCE_UNAVAILABLE_STREAK} times in a row (${down.message}).`;
		return { ...down, message };
	}

	/** Whether the run stopped calling this instance after answers in a row saying it is unavailable. */
	gaveUpOn(connection: Connection): boolean {
		return this.instances.get(instanceKey(connection))?.givenUp !== undefined;
	}

	private start(ticket: GateTicket, nowMs: number): void {
		const { minIntervalMs, humanDelayMs } = this.settings;
		this.lastStart = { ticket, nextStartAtBefore: this.nextStartAt };
		this.nextStartAt = nowMs + Math.max(minIntervalMs, humanDelay(humanDelayMs, this.clock.random));
		this.firstSent = true;
		ticket.instance.inFlight++;
		ticket.token.budget.onStart(nowMs);
	}

	private finish(ticket: GateTicket): void {
		ticket.instance.inFlight = Math.max(0, ticket.instance.inFlight - 1);
	}

	/** A refused token (401, or 403 for the instance) stops the run; "unavailable" answers in a row stop the instance. */
	private noteHealth(ticket: GateTicket, answer: RawAnswer, outcome: Outcome<unknown>): void {
		const { instance } = ticket;
		if (!outcome.ok && outcome.failure.reason === 'unauthorized')
			this.refusedToken ??= outcome.failure;
		if (!outcome.ok && outcome.failure.reason === 'instance_unavailable') {
			instance.unavailableStreak++;
			if (instance.unavailableStreak >= INSTANCE_UNAVAILABLE_STREAK)
				instance.givenUp ??= outcome.failure;
		} else if (answer.kind === 'http') {
			instance.unavailableStreak = 0;
		}
	}

	/** Until an answer settles on the token, the wait passes, or the execution is cancelled. */
	private async waitForChange(token: SharedToken, waitMs: number | undefined): Promise<void> {
		const cancel = this.settings.cancelSignal;
		await new Promise<void>((resolve) => {
			const timer = new AbortController();
			const done = () => {
				timer.abort();
				token.waiters.delete(done);
				cancel?.removeEventListener('abort', done);
				resolve();
			};
			token.waiters.add(done);
			cancel?.addEventListener('abort', done, { once: true });
			if (waitMs !== undefined) void this.clock.sleep(waitMs, timer.signal).then(done);
		});
	}
}

/** A pause drawn uniformly from the range (0 when there is none). Pure. */
function humanDelay(range: GateSettings['humanDelayMs'], random: () => number): number {
	if (!range || range.max <= 0) return 0;
	const min = Math.max(0, Math.min(range.min, range.max));
	return min + random() * (Math.max(range.min, range.max) - min);
}

/** The budget of one token at one base URL, shared by every run of this process under one clock. */
interface SharedToken {
	budget: TokenBudget;
	waiters: Waiters;
}

/** Token budgets per clock, then per token at a base URL (under endpointKey: a hash, never the token). */
const sharedTokens = new WeakMap<Clock, Map<string, SharedToken>>();

/** The budget every run of the process shares for this connection's token, under one clock. */
function sharedToken(current: Clock, connection: Connection): SharedToken {
	let tokens = sharedTokens.get(current);
	if (!tokens) {
		tokens = new Map();
		sharedTokens.set(current, tokens);
	}
	const key = endpointKey(connection);
	let token = tokens.get(key);
	if (!token) {
		token = { budget: new TokenBudget(), waiters: new Waiters() };
		tokens.set(key, token);
	}
	return token;
}
