import type { Connection } from '../helpers/connection';
import { instanceKey } from '../helpers/connection';
import type { Failure, Outcome, RawAnswer } from '../helpers/interfaces';

/** Answers in a row saying the instance is unavailable, after which the run stops calling it. */
export const INSTANCE_UNAVAILABLE_STREAK = 3;

/**
 * Whether the token and each instance are still worth calling in this run. After a refused token
 * (401, or a 403 for the instance) no further request starts; after INSTANCE_UNAVAILABLE_STREAK
 * answers in a row saying an instance is unavailable, none for that instance. While an instance
 * answers "unavailable", its requests go one at a time: a dead instance costs a few requests, not
 * a batch.
 */
export class RunHealth {
	private refusedToken: Failure | undefined;
	private readonly unavailableStreak = new Map<string, number>();
	private readonly unavailable = new Map<string, Failure>();
	private readonly queues = new Map<string, Promise<void>>();

	/** Why a task must not be sent any more, if it must not. */
	whyNotSend(connection: Connection): Failure | undefined {
		if (this.refusedToken) {
			return {
				...this.refusedToken,
				message: `Not sent: RyzeAPI refused the token on an earlier item (${this.refusedToken.message}).`,
			};
		}
		const down = this.unavailable.get(instanceKey(connection));
		if (down) {
			const message = `Not sent: instance ${JSON.stringify(connection.instance)} was reported unavailable ${INSTANCE_UNAVAILABLE_STREAK} times in a row (${down.message}).`;
			return { ...down, message };
		}
		return undefined;
	}

	/** Counts what an answer says of the token and the instance; any other answer from the API resets the streak. */
	note(connection: Connection, answer: RawAnswer, outcome: Outcome<unknown>): void {
		if (!outcome.ok && outcome.failure.reason === 'unauthorized')
			this.refusedToken ??= outcome.failure;
		const key = instanceKey(connection);
		if (!outcome.ok && outcome.failure.reason === 'instance_unavailable') {
			const streak = (this.unavailableStreak.get(key) ?? 0) + 1;
			this.unavailableStreak.set(key, streak);
			if (streak >= INSTANCE_UNAVAILABLE_STREAK && !this.unavailable.has(key)) {
				this.unavailable.set(key, outcome.failure);
			}
		} else if (answer.kind === 'http') {
			this.unavailableStreak.set(key, 0);
		}
	}

	/** Runs `send` at once for a healthy instance; for one answering "unavailable", after the previous request is answered. */
	async inTurn<R>(connection: Connection, send: () => Promise<R>): Promise<R> {
		const key = instanceKey(connection);
		if ((this.unavailableStreak.get(key) ?? 0) === 0) return await send();
		const previous = this.queues.get(key) ?? Promise.resolve();
		let release = () => {};
		const mine = new Promise<void>((resolve) => (release = resolve));
		this.queues.set(
			key,
			previous.then(async () => await mine),
		);
		try {
			await previous;
			return await send();
		} finally {
			release();
		}
	}
}
