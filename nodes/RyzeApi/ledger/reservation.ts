/**
 * The ledger's decisions, each one step a store applies atomically (read the view, write what the
 * step returns): which codes a run may send (already known, in progress elsewhere, within the
 * budget, or deferred), what an answer records, pauses, and what the triggers learn. Pure.
 */
import type { BudgetHold, JoinBudgetRules } from './joinBudget';
import { joinsAllowedNow, nextJoinAt, withJoins, withoutJoin } from './joinBudget';
import type { InstancePause, InstanceState, JoinRecord, LedgerView, LedgerWrites } from './records';
import {
	MAX_RECORDS_PER_INSTANCE,
	PRUNE_EVERY_MS,
	RECORD_RETENTION_MS,
	REQUEST_LEASE_MS,
} from './records';

export type DeferReason = BudgetHold | 'join_in_progress';

/** What the ledger says of one code a run wants to join. */
export type CodeVerdict =
	| { kind: 'send' }
	/** Joined, or pending an admin's approval and asked recently: no request. */
	| { kind: 'known'; record: JoinRecord }
	| { kind: 'deferred'; reason: DeferReason; notBefore: number };

export interface ReservationRequest {
	codes: readonly string[];
	/** Who reserves: a run's own id, so that its reservations are told from another run's. */
	run: string;
	nowMs: number;
	rules: JoinBudgetRules;
	/** A pending approval older than this is asked again. */
	pendingRecheckMs: number;
}

export interface Step<R> {
	writes: LedgerWrites;
	result: R;
}

/** Whether a record says the join is done (or waiting for an admin, and asked recently). */
export function knownJoin(
	record: JoinRecord | undefined,
	nowMs: number,
	pendingRecheckMs: number,
): boolean {
	if (!record) return false;
	if (record.status === 'joined') return true;
	return (
		record.status === 'pending_approval' &&
		nowMs - (record.resolvedAt ?? record.requestedAt) < pendingRecheckMs
	);
}

/**
 * Reserves, in order, the codes the budget allows now: each becomes `requested` by this run and
 * counts as a join from now on. A code the ledger knows as joined (or pending, recently) costs
 * nothing; one already in flight waits for its answer; the rest are deferred until the
 * budget next allows a join.
 */
export function reserveJoins(
	view: LedgerView,
	request: ReservationRequest,
): Step<Map<string, CodeVerdict>> {
	const { nowMs, run } = request;
	const state = trimmed(view.state, nowMs);
	const allowance = joinsAllowedNow(state, request.rules, nowMs);
	const verdicts = new Map<string, CodeVerdict>();
	const put: JoinRecord[] = [];
	const waiting: string[] = [];
	for (const code of request.codes) {
		if (verdicts.has(code)) continue;
		const record = view.records.get(code);
		if (record && knownJoin(record, nowMs, request.pendingRecheckMs)) {
			verdicts.set(code, { kind: 'known', record });
		} else if (record?.status === 'requested' && leaseHeld(record, nowMs)) {
			// In flight (this run asks once per code: a second ask is another run's, or a mistake).
			const notBefore = record.requestedAt + REQUEST_LEASE_MS;
			verdicts.set(code, { kind: 'deferred', reason: 'join_in_progress', notBefore });
		} else if (put.length < allowance.count) {
			verdicts.set(code, { kind: 'send' });
			put.push(requestedRecord(code, record, run, nowMs));
		} else {
			waiting.push(code);
		}
	}
	state.joinCounts = withJoins(state.joinCounts, nowMs, put.length);
	if (waiting.length > 0) {
		const deferred =
			'hold' in allowance && put.length === 0
				? { reason: allowance.hold, notBefore: allowance.notBefore }
				: {
						reason: 'join_budget_reached' as const,
						notBefore: nextJoinAt(state, request.rules, nowMs),
					};
		for (const code of waiting) verdicts.set(code, { kind: 'deferred', ...deferred });
	}
	return { writes: put.length > 0 ? { state, put } : {}, result: verdicts };
}

function leaseHeld(record: JoinRecord, nowMs: number): boolean {
	return nowMs - record.requestedAt < REQUEST_LEASE_MS;
}

function requestedRecord(
	code: string,
	previous: JoinRecord | undefined,
	run: string,
	nowMs: number,
): JoinRecord {
	const before =
		previous && previous.status !== 'requested' ? withoutBefore(previous) : previous?.before;
	return {
		code,
		status: 'requested',
		groupJid: previous?.groupJid ?? null,
		reason: null,
		requestedAt: nowMs,
		resolvedAt: null,
		run,
		...(before ? { before } : {}),
	};
}

function withoutBefore(record: JoinRecord): Omit<JoinRecord, 'before'> {
	const rest = { ...record };
	delete rest.before;
	return rest;
}

/** What a join's answer says of its code, as the ledger keeps it. */
export interface JoinAnswer {
	code: string;
	status: 'joined' | 'pending_approval' | 'failed';
	groupJid: string | null;
	reason: string | null;
}

/** Records the answers of this run's joins (a record another run took over in between is left to it). */
export function recordAnswers(
	view: LedgerView,
	answers: readonly JoinAnswer[],
	run: string,
	nowMs: number,
): Step<number> {
	const state = trimmed(view.state, nowMs);
	const put: JoinRecord[] = [];
	let pendingChanged = false;
	for (const answer of answers) {
		const record = view.records.get(answer.code);
		if (record && record.status === 'requested' && record.run !== run) continue;
		const groupJid = answer.groupJid ?? record?.groupJid ?? null;
		put.push({
			code: answer.code,
			status: answer.status,
			groupJid,
			reason: answer.reason,
			requestedAt: record?.requestedAt ?? nowMs,
			resolvedAt: nowMs,
		});
		for (const [jid, code] of Object.entries(state.pending)) {
			if (code !== answer.code) continue;
			delete state.pending[jid];
			pendingChanged = true;
		}
		if (answer.status === 'pending_approval' && groupJid) {
			state.pending[groupJid] = answer.code;
			pendingChanged = true;
		}
	}
	// The state is written only when the pending index changed: answers do not touch the counts.
	if (put.length === 0) return { writes: {}, result: 0 };
	return { writes: pendingChanged ? { state, put } : { put }, result: put.length };
}

/**
 * Gives back this run's reservations it never sent (the execution stopped, or a restriction was
 * heard first): the record returns to what it was and the join no longer counts.
 */
export function releaseUnsent(
	view: LedgerView,
	codes: readonly string[],
	run: string,
	nowMs: number,
): Step<number> {
	const state = trimmed(view.state, nowMs);
	const put: JoinRecord[] = [];
	const deleted: string[] = [];
	for (const code of codes) {
		const record = view.records.get(code);
		if (!record || record.status !== 'requested' || record.run !== run) continue;
		state.joinCounts = withoutJoin(state.joinCounts, record.requestedAt);
		if (record.before) put.push(record.before);
		else deleted.push(code);
	}
	if (put.length + deleted.length === 0) return { writes: {}, result: 0 };
	return { writes: { state, put, delete: deleted }, result: put.length + deleted.length };
}

/** Pauses the instance's joins until `pause.until` (a longer pause already set is kept). */
export function pauseJoins(view: LedgerView, pause: InstancePause): Step<InstancePause> {
	const current = view.state.pause;
	if (current && current.until >= pause.until) return { writes: {}, result: current };
	return { writes: { state: { ...view.state, pause } }, result: pause };
}

/** Lifts a pause; the result is the pause that was lifted, if any. */
export function resumeJoins(view: LedgerView): Step<InstancePause | null> {
	if (!view.state.pause) return { writes: {}, result: null };
	return { writes: { state: { ...view.state, pause: null } }, result: view.state.pause };
}

/**
 * Groups the number is now a member of: the records pending an admin's approval for them become
 * joined. The result lists them as they are now.
 */
export function markGroupsJoined(
	view: LedgerView,
	groupJids: readonly string[],
	nowMs: number,
): Step<JoinRecord[]> {
	const state = { ...view.state, pending: { ...view.state.pending } };
	const put: JoinRecord[] = [];
	for (const groupJid of groupJids) {
		const code = state.pending[groupJid];
		if (code === undefined) continue;
		delete state.pending[groupJid];
		const record = view.records.get(code);
		if (!record || record.status !== 'pending_approval') continue;
		put.push({ ...record, status: 'joined', reason: null, resolvedAt: nowMs });
	}
	if (
		put.length === 0 &&
		Object.keys(state.pending).length === Object.keys(view.state.pending).length
	)
		return { writes: {}, result: [] };
	return { writes: { state, put }, result: put };
}

/** The codes the pending index names for these groups: what markGroupsJoined reads. */
export function pendingCodes(state: InstanceState, groupJids: readonly string[]): string[] {
	return groupJids.map((jid) => state.pending[jid]).filter((code) => code !== undefined);
}

/** Leave worked: the records of those groups (by their JIDs) or of those codes are left. */
export function markLeft(
	view: LedgerView,
	left: { codes: readonly string[]; groupJids: readonly string[] },
	nowMs: number,
): Step<number> {
	const state = { ...view.state, pending: { ...view.state.pending } };
	const codes = new Set(left.codes);
	const groupJids = new Set(left.groupJids);
	const put: JoinRecord[] = [];
	for (const record of view.records.values()) {
		const matches =
			codes.has(record.code) || (record.groupJid !== null && groupJids.has(record.groupJid));
		if (!matches || record.status === 'left' || record.status === 'requested') continue;
		put.push({ ...record, status: 'left', reason: null, resolvedAt: nowMs });
		if (record.groupJid) delete state.pending[record.groupJid];
	}
	return { writes: put.length > 0 ? { state, put } : {}, result: put.length };
}

/**
 * The records to drop so the ledger stays bounded: those untouched for RECORD_RETENTION_MS, and
 * beyond MAX_RECORDS_PER_INSTANCE the oldest (a record still `requested` and held is kept).
 */
export function pruneRecords(view: LedgerView, nowMs: number): Step<number> {
	const touched = (record: JoinRecord) => record.resolvedAt ?? record.requestedAt;
	const candidates = [...view.records.values()]
		.filter((record) => !(record.status === 'requested' && leaseHeld(record, nowMs)))
		.sort((one, other) => touched(one) - touched(other));
	const excess = Math.max(0, view.records.size - MAX_RECORDS_PER_INSTANCE);
	const dropped = candidates
		.filter((record, index) => index < excess || nowMs - touched(record) > RECORD_RETENTION_MS)
		.map((record) => record.code);
	const gone = new Set(dropped);
	const state = { ...trimmed(view.state, nowMs), prunedAt: nowMs };
	const pending = Object.entries(state.pending).filter(([, code]) => !gone.has(code));
	state.pending = Object.fromEntries(pending);
	return { writes: { state, delete: dropped }, result: dropped.length };
}

/** Whether the instance's records are due for pruning. */
export function pruneDue(state: InstanceState, nowMs: number): boolean {
	return nowMs - state.prunedAt >= PRUNE_EVERY_MS;
}

/** A copy of the state with the joins older than a day dropped (the budget counts no further back). */
function trimmed(state: InstanceState, nowMs: number): InstanceState {
	return {
		...state,
		joinCounts: withJoins(state.joinCounts, nowMs, 0),
		pending: { ...state.pending },
	};
}
