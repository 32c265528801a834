import type { InstanceState, LedgerInstance, LedgerView } from './records';
import type { Step } from './reservation';

/**
 * Where the join ledger lives: a file under n8n's user folder (one n8n process) or a Redis that
 * every process shares (queue mode). Both do one thing: apply a step atomically.
 */
export interface LedgerStore {
	/** Where the ledger is, for messages: never a password. */
	readonly where: string;
	/**
	 * One atomic step on an instance: reads its state and the records `codesOf(state)` names
	 * (`all`: every record), runs `step` on them and writes what it returns, so that no other step
	 * of any process comes between the read and the write.
	 */
	update<R>(
		instance: LedgerInstance,
		codesOf: (state: InstanceState) => readonly string[] | 'all',
		step: (view: LedgerView) => Step<R>,
	): Promise<R>;
	/** Lets go of the file or the connection (after the steps under way). */
	close(): Promise<void>;
}

/**
 * The ledger cannot be read or written: nothing is joined unrecorded. The message says what is
 * missing and what to do.
 */
export class LedgerUnavailableError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'LedgerUnavailableError';
	}
}

/** One step at a time: a store's steps queue behind each other, whatever awaits inside them. */
export class StepQueue {
	private last: Promise<unknown> = Promise.resolve();

	async run<R>(step: () => Promise<R>): Promise<R> {
		const next = this.last.then(step, step);
		this.last = next.catch(() => undefined);
		return await next;
	}
}

/** An error's own words, for a message. */
export function causeOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
