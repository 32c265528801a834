import type { ErrorReason } from '../shared/interfaces';
import { isBeforeJoinLedger, isVersion1 } from './nodeVersion';

/**
 * What to do about each failure, shown as `error.hint` beside RyzeAPI's own message (which says
 * what happened, not what to do). The README's "Error reasons" table says the same, word for
 * word (a test compares them). Version 1 shows these for every operation; from version 1.1 an
 * operation's own words (OPERATION_HINTS) replace some of them.
 */
const ERROR_HINTS: Record<ErrorReason, string> = {
	invalid_identifier: 'Fix the row, or the expression in Identifier.',
	invalid_code: 'Check the code; it may be mistyped or cut short.',
	revoked_or_expired: 'Ask the group for a new link.',
	not_allowed: 'The group does not let this number join (or leave).',
	group_not_found:
		'The code points at no group; check it. Preview a group you are not in by its link or code.',
	not_a_member:
		'Nothing to do: the number is not in the group. A cleanup workflow can treat it as done.',
	unauthorized: 'Fix the credential: token, instance name or base URL.',
	rate_limited: 'Run the item again later, or slow the workflow down.',
	instance_unavailable: 'Reconnect the instance in RyzeAPI, or check the instance name.',
	server_error: 'Usually temporary: run the item again. A redirect means the base URL is wrong.',
	network_error: 'Check the base URL and the network; see Behind a proxy and private CA.',
	timeout: 'Run the item again; raise the Timeout if it keeps happening.',
	instance_restricted:
		'WhatsApp restricted or throttled the number: its joins wait until notBefore (Joining safely says how to resume sooner).',
	join_budget_reached:
		'Run the item again after notBefore, or raise Max Joins Per Hour or Per Day (Joining safely).',
	outside_active_hours: 'Run the item again after notBefore, or widen Active Hours.',
	join_in_progress: 'Another execution is joining this code: run the item again after notBefore.',
	ledger_unavailable: "Fix the join ledger's storage as the message says, then run the item again.",
};

/** The operations whose items can fail, by the value of the node's Operation parameter. */
export type HintedOperation = 'join' | 'preview' | 'leave';

/**
 * From version 1.1, the hints that depend on the operation: a join is not told to preview, nor
 * "join (or leave)". Reasons not listed here keep ERROR_HINTS' words.
 */
const OPERATION_HINTS: Record<HintedOperation, Partial<Record<ErrorReason, string>>> = {
	join: {
		not_allowed: 'The group does not let this number join.',
		group_not_found: 'The code points at no group; check it, or ask the group for a new link.',
	},
	preview: {
		not_allowed: 'The group does not let this number read its details.',
		group_not_found:
			'The code points at no group; check it. A group this number is not in is previewed by its link or code, not its ID.',
	},
	leave: {
		not_allowed: 'The group does not let this number leave.',
		group_not_found: 'The group was not found; check the ID, link or code.',
	},
};

/** What a failed item says about itself: its status, and what to do about its reason. */
export interface FailedItemWords {
	status: 'failed' | 'error';
	hint(reason: ErrorReason): string;
	/**
	 * From 1.2 every failed, deferred and errored item reads alike: `error` also holds the item's
	 * status, what was sent and notBefore, since on n8n's Error output only `error` and `message`
	 * reach the workflow.
	 */
	errorHoldsItem: boolean;
}

/**
 * The words of a failed item for this operation and node version. Version 1 keeps what it had:
 * `status: "error"` and ERROR_HINTS for every operation. From 1.1 the status names the Failed
 * output it leaves on, and the hint fits the operation; from 1.2 `error` holds the item too.
 */
export function failedItemWords(operation: unknown, typeVersion: unknown): FailedItemWords {
	if (isVersion1(typeVersion)) {
		return { status: 'error', hint: (reason) => ERROR_HINTS[reason], errorHoldsItem: false };
	}
	const own: Partial<Record<ErrorReason, string>> =
		operation === 'join' || operation === 'preview' || operation === 'leave'
			? OPERATION_HINTS[operation]
			: {};
	return {
		status: 'failed',
		hint: (reason) => own[reason] ?? ERROR_HINTS[reason],
		errorHoldsItem: !isBeforeJoinLedger(typeVersion),
	};
}
