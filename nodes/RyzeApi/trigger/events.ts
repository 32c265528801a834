/**
 * The names the trigger reads and filters on: the provider's six event names (RyzeAPI's event
 * catalog), the group changes it recognises, and the instance states one public integration
 * reports (the provider's full list is not published).
 */

export const EVENT_NAMES = [
	'group.flow',
	'instance.state',
	'message.exchange',
	'message.status',
	'call.update',
	'label.update',
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

export function isEventName(value: unknown): value is EventName {
	return typeof value === 'string' && (EVENT_NAMES as readonly string[]).includes(value);
}

/** What Group Changes filters on: `other` is every change that is not one of the first four. */
export const GROUP_CHANGE_FILTERS = ['joined', 'left', 'promoted', 'demoted', 'other'] as const;

export type GroupChangeFilter = (typeof GROUP_CHANGE_FILTERS)[number];

/** The four membership changes; a change named otherwise is `other` for the filter. */
export const MEMBERSHIP_CHANGES = ['joined', 'left', 'promoted', 'demoted'] as const;

/**
 * The instance states offered in the panel, with their names there. An event may carry a state
 * not listed (the list is not the provider's word): it reaches the workflow when no state is
 * selected.
 */
export const INSTANCE_STATES: Readonly<Record<string, string>> = {
	connected: 'Connected',
	disconnected: 'Disconnected',
	connecting: 'Connecting',
	qr_ready: 'QR Ready',
	pair_success: 'Pair Success',
	pair_error: 'Pair Error',
	logged_out: 'Logged Out',
	temp_banned: 'Temporarily Banned',
	stream_replaced: 'Stream Replaced',
	stream_error: 'Stream Error',
	client_outdated: 'Client Outdated',
	connect_failure: 'Connect Failure',
	keepalive_timeout: 'Keepalive Timeout',
	keepalive_restored: 'Keepalive Restored',
	manual_reconnect: 'Manual Reconnect',
	unknown: 'Unknown',
};

/** RyzeAPI's limit of enabled webhooks per instance; disabled ones do not count. */
export const MAX_ENABLED_WEBHOOKS = 3;
