/**
 * What the join ledger's word and a join's answer mean, for the item and for the record: an item
 * the ledger answers, one it holds back (and the words saying until when), the answer a record
 * keeps, and which answers say nothing of WhatsApp. Pure.
 */
import type { TaskResult } from '../runner/runOperation';
import type { JoinSuccess } from '../shared/groupAnswers';
import type { ErrorReason, Failure, Outcome } from '../shared/interfaces';
import type { JoinRecord } from './records';
import type { DeferReason, JoinAnswer } from './reservation';
import { causeOf } from './store';

/**
 * Answers RyzeAPI gives before anything reaches WhatsApp: a refused token, an instance that is not
 * connected, the token's own rate limit. Such a join was not made.
 */
const NOT_A_JOIN: ReadonlySet<string> = new Set([
	'unauthorized',
	'instance_unavailable',
	'rate_limited',
]);

/** Holds of the ledger or of this run: the task was not sent this time, whatever came before. */
const HOLDS: ReadonlySet<string> = new Set([
	'instance_restricted',
	'join_budget_reached',
	'outside_active_hours',
	'join_in_progress',
]);

/** Whether this result tells nothing of WhatsApp: refused before it, or held back by the ledger. */
export function notAJoin(outcome: Outcome<unknown>): boolean {
	if (outcome.ok) return false;
	const { reason, restriction } = outcome.failure;
	return NOT_A_JOIN.has(reason) || (restriction === undefined && HOLDS.has(reason));
}

export function fromLedger(record: JoinRecord): Outcome<JoinSuccess> {
	const pending = record.status === 'pending_approval';
	const since = new Date(record.resolvedAt ?? record.requestedAt).toISOString();
	return {
		ok: true,
		value: {
			status: pending ? 'pending_approval' : 'joined',
			groupJid: record.groupJid ?? '',
			requiresApproval: pending,
			message: `Not sent: the join ledger has this code as ${pending ? 'waiting for an admin' : 'joined'} since ${since}.`,
			fromLedger: true,
		},
	};
}

export function answerOf(code: string, result: TaskResult<JoinSuccess>): JoinAnswer {
	if (result.ok) {
		return { code, status: result.value.status, groupJid: result.value.groupJid, reason: null };
	}
	return { code, status: 'failed', groupJid: null, reason: result.failure.reason };
}

export function deferred(
	reason: ErrorReason,
	notBefore: number,
	message: string,
): Outcome<JoinSuccess> {
	return { ok: false, failure: { reason, message, httpStatus: null, notBefore } };
}

export function holdMessage(reason: DeferReason, notBefore: number, heard?: string): string {
	const until = new Date(notBefore).toISOString();
	switch (reason) {
		case 'instance_restricted':
			return `Not sent: joins on this number are paused until ${until}${heard ? ` (${heard})` : ''}.`;
		case 'outside_active_hours':
			return `Not sent: outside Active Hours; joins resume at ${until}.`;
		case 'join_in_progress':
			return `Not sent: another execution is joining this code; its answer is due by ${until}.`;
		case 'join_budget_reached':
			return `Not sent: the number's join budget is used up until ${until}.`;
	}
}

export function ledgerFailure(error: unknown): Failure {
	return { reason: 'ledger_unavailable', message: causeOf(error), httpStatus: null };
}
