import type { ErrorReason } from './interfaces';

/**
 * What to do about each failure, shown as `error.hint` beside RyzeAPI's own message (which says
 * what happened, not what to do). The README's "Error reasons" table says the same, word for
 * word (a test compares them).
 */
export const ERROR_HINTS: Record<ErrorReason, string> = {
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
};
