/**
 * The join ledger as the nodes use it: each call is one atomic step of the store (a file or a
 * Redis, store.ts) running one decision of reservation.ts. What the Join Group node, Leave, the
 * ledger's own operations and both triggers read and write goes through here.
 */
import { recentJoinCounts } from './joinBudget';
import type { InstancePause, InstanceState, JoinRecord, LedgerInstance } from './records';
import type { CodeVerdict, JoinAnswer, ReservationRequest } from './reservation';
import {
	knownJoin,
	markGroupsJoined,
	markLeft,
	pauseJoins,
	pendingCodes,
	pruneDue,
	pruneRecords,
	recordAnswers,
	releaseUnsent,
	reserveJoins,
	resumeJoins,
} from './reservation';
import type { LedgerStore } from './store';

/** What a run learns before it sends anything: the codes already done, and the instance's state. */
export interface LedgerLookup {
	known: Map<string, JoinRecord>;
	state: InstanceState;
}

/** An instance's summary, for the ledger's Get Status operation. */
export interface InstanceStatus {
	pause: InstancePause | null;
	joinsLastHour: number;
	joinsLastDay: number;
	records: Record<JoinRecord['status'], number>;
}

/** No instance's: what reachable() reads. */
const PROBE: LedgerInstance = { server: '', instance: '' };

export class JoinLedger {
	constructor(readonly store: LedgerStore) {}

	get where(): string {
		return this.store.where;
	}

	/**
	 * One step that reads and writes nothing: a Redis connects on its first step, so a run asks
	 * this before it sends anything, and a ledger that cannot be used stops it then.
	 */
	async reachable(): Promise<void> {
		await this.store.update(
			PROBE,
			() => [],
			() => ({ writes: {}, result: undefined }),
		);
	}

	/** The records of these codes that say the join is done (or pending, recently), and the state. */
	async lookup(
		instance: LedgerInstance,
		codes: readonly string[],
		nowMs: number,
		pendingRecheckMs: number,
	): Promise<LedgerLookup> {
		const lookup = await this.store.update(
			instance,
			() => codes,
			(view) => {
				const known = new Map<string, JoinRecord>();
				for (const [code, record] of view.records) {
					if (knownJoin(record, nowMs, pendingRecheckMs)) known.set(code, record);
				}
				return { writes: {}, result: { known, state: view.state } };
			},
		);
		// Once a day per instance, at the start of a run: old records go.
		if (pruneDue(lookup.state, nowMs)) await this.prune(instance, nowMs);
		return lookup;
	}

	async reserve(
		instance: LedgerInstance,
		request: ReservationRequest,
	): Promise<Map<string, CodeVerdict>> {
		return await this.store.update(
			instance,
			() => request.codes,
			(view) => reserveJoins(view, request),
		);
	}

	async recordAnswers(
		instance: LedgerInstance,
		answers: readonly JoinAnswer[],
		run: string,
		nowMs: number,
	): Promise<void> {
		const codes = answers.map((answer) => answer.code);
		await this.store.update(
			instance,
			() => codes,
			(view) => recordAnswers(view, answers, run, nowMs),
		);
	}

	async release(
		instance: LedgerInstance,
		codes: readonly string[],
		run: string,
		nowMs: number,
	): Promise<void> {
		await this.store.update(
			instance,
			() => codes,
			(view) => releaseUnsent(view, codes, run, nowMs),
		);
	}

	async pause(instance: LedgerInstance, pause: InstancePause): Promise<InstancePause> {
		return await this.store.update(
			instance,
			() => [],
			(view) => pauseJoins(view, pause),
		);
	}

	async resume(instance: LedgerInstance): Promise<InstancePause | null> {
		return await this.store.update(instance, () => [], resumeJoins);
	}

	/** Groups the number is now in: their pending records become joined, and are returned. */
	async markGroupsJoined(
		instance: LedgerInstance,
		groupJids: readonly string[],
		nowMs: number,
	): Promise<JoinRecord[]> {
		return await this.store.update(
			instance,
			(state) => pendingCodes(state, groupJids),
			(view) => markGroupsJoined(view, groupJids, nowMs),
		);
	}

	async markLeft(
		instance: LedgerInstance,
		left: { codes: readonly string[]; groupJids: readonly string[] },
		nowMs: number,
	): Promise<number> {
		// By JID the records are found by reading them all: Leave is rare beside joins.
		const needsAll = left.groupJids.length > 0;
		return await this.store.update(
			instance,
			() => (needsAll ? 'all' : left.codes),
			(view) => markLeft(view, left, nowMs),
		);
	}

	/** Every record of the instance, newest first. */
	async records(instance: LedgerInstance): Promise<JoinRecord[]> {
		const all = await this.store.update(
			instance,
			() => 'all',
			(view) => ({ writes: {}, result: [...view.records.values()] }),
		);
		return all.sort((one, other) => other.requestedAt - one.requestedAt);
	}

	async status(instance: LedgerInstance, nowMs: number): Promise<InstanceStatus> {
		return await this.store.update(
			instance,
			() => 'all',
			(view) => {
				const records = { requested: 0, joined: 0, pending_approval: 0, failed: 0, left: 0 };
				for (const record of view.records.values()) records[record.status]++;
				const counts = recentJoinCounts(view.state, nowMs);
				const pause = view.state.pause && view.state.pause.until > nowMs ? view.state.pause : null;
				const status = {
					pause,
					joinsLastHour: counts.lastHour,
					joinsLastDay: counts.lastDay,
					records,
				};
				return { writes: {}, result: status };
			},
		);
	}

	private async prune(instance: LedgerInstance, nowMs: number): Promise<void> {
		await this.store.update(
			instance,
			() => 'all',
			(view) =>
				pruneDue(view.state, nowMs) ? pruneRecords(view, nowMs) : { writes: {}, result: 0 },
		);
	}
}
