/**
 * The names the trigger reads and filters on: the provider's six event names
 * (shared/api/ryzeapi-events.md, section 3), the group changes it recognises, and the instance
 * states one integration reports (section 4; the provider's full list is not published).
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
 * The instance states offered in the panel. An event may carry a state not listed (the list is
 * not the provider's word): it reaches the workflow when no state is selected.
 */
export const INSTANCE_STATES = [
	'connected',
	'disconnected',
	'connecting',
	'qr_ready',
	'pair_success',
	'pair_error',
	'logged_out',
	'temp_banned',
	'stream_replaced',
	'stream_error',
	'client_outdated',
	'connect_failure',
	'keepalive_timeout',
	'keepalive_restored',
	'manual_reconnect',
	'unknown',
] as const;

/** RyzeAPI's limit of enabled webhooks per instance; disabled ones do not count. */
export const MAX_ENABLED_WEBHOOKS = 3;
