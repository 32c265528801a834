/**
 * What the join ledger holds, per instance (one WhatsApp number at one RyzeAPI server): one record
 * per invite code, the times of its recent joins and any pause. No token or secret goes in: an
 * instance is known by its server and name. Types and bounds only; the decisions on them are in
 * reservation.ts and joinBudget.ts.
 */

export type JoinStatus = 'requested' | 'joined' | 'pending_approval' | 'failed' | 'left';

export interface JoinRecord {
	code: string;
	status: JoinStatus;
	groupJid: string | null;
	/** Why it failed (an error reason), or why it was set so (`left`); null otherwise. */
	reason: string | null;
	/** When the join was last reserved, in ms since the epoch. */
	requestedAt: number;
	/** When its answer (or Leave, or the triggers) last set its status; null while requested. */
	resolvedAt: number | null;
	/** The run holding a `requested` record; its reservation lapses REQUEST_LEASE_MS after requestedAt. */
	run?: string;
	/** A `requested` record's previous state, put back if the run releases it unsent. */
	before?: Omit<JoinRecord, 'before'>;
}

/** Why joins on an instance are paused, and until when. */
export interface InstancePause {
	until: number;
	/** `restricted`: WhatsApp restricted the number; `throttled`: it throttled it; `temp_banned`: the trigger heard so. */
	reason: 'restricted' | 'throttled' | 'temp_banned';
	/** What was heard, as RyzeAPI said it (shortened). */
	message: string;
	since: number;
}

/** Joins reserved at one moment (ms since the epoch): [when, how many]. */
export type JoinCount = [atMs: number, count: number];

export interface InstanceState {
	/**
	 * Reservations of the last 24 hours, as [when, how many] oldest first: what the budget counts.
	 * The codes one step reserves share a moment, so a burst of joins costs one entry, not one each.
	 */
	joinCounts: JoinCount[];
	pause: InstancePause | null;
	/** groupJid → code of the records pending an admin's approval: a group joined later finds its record. */
	pending: Record<string, string>;
	/** When old records were last pruned. */
	prunedAt: number;
}

/** An instance as the ledger knows it: its server (origin and path, no token) and its name. */
export interface LedgerInstance {
	server: string;
	instance: string;
}

/** What one atomic step of the ledger reads: an instance's state and some of its records. */
export interface LedgerView {
	state: InstanceState;
	records: ReadonlyMap<string, JoinRecord>;
}

/** What one atomic step writes: the new state, records to put, codes to delete. */
export interface LedgerWrites {
	state?: InstanceState;
	put?: JoinRecord[];
	delete?: string[];
}

export const HOUR_MS = 60 * 60_000;
export const DAY_MS = 24 * HOUR_MS;
/**
 * A reservation not answered within this time is taken as lost (its run died): its code may be
 * sent again. Until then another run defers it, so two runs never send one code at once. Longer
 * than the longest a join can take with the widest options (10 tries of 600 s and an hour of
 * retry waits, 2 h 40 min; test/unit/ledgerReservation.test.ts checks it against the options).
 */
export const REQUEST_LEASE_MS = 4 * HOUR_MS;
/** Records kept per instance at most: the oldest go first. */
export const MAX_RECORDS_PER_INSTANCE = 50_000;
/** Records untouched for this long are pruned. */
export const RECORD_RETENTION_MS = 180 * DAY_MS;
/** How long `temp_banned`, heard by the trigger, pauses joins: as long as Join's default after a restriction. */
export const TEMP_BANNED_PAUSE_MS = DAY_MS;
/** How often the records of an instance are pruned (joinCounts are trimmed at every write). */
export const PRUNE_EVERY_MS = DAY_MS;

/** Whether a step changes anything (a step that only reads writes nothing). */
export function hasWrites(writes: LedgerWrites): boolean {
	return (
		writes.state !== undefined || (writes.put?.length ?? 0) > 0 || (writes.delete?.length ?? 0) > 0
	);
}

export function emptyState(): InstanceState {
	return { joinCounts: [], pause: null, pending: {}, prunedAt: 0 };
}

/** The key of an instance in the stores: readable, and never holding the token. */
export function instanceId(instance: LedgerInstance): string {
	return JSON.stringify([instance.server, instance.instance]);
}
