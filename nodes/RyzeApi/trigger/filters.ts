import type { GroupChangeFilter } from './events';
import { MEMBERSHIP_CHANGES } from './events';
import type { TriggerItem } from './item';
import type { TriggerFilters } from './parameters';

/** Why a delivery starts no execution, as the answer's `ignored` says it. */
export type IgnoredReason =
	'event not selected' | 'group not selected' | 'change not selected' | 'state not selected';

/**
 * Whether the trigger's filters let an item through: undefined when they do, else the reason.
 * With a filter set, an event that does not say its group, change or state is not let through:
 * it cannot be shown to match. Pure.
 */
export function ignoredBecause(
	item: TriggerItem,
	filters: TriggerFilters,
): IgnoredReason | undefined {
	if (!(filters.events as string[]).includes(item.event)) return 'event not selected';
	if (item.event === 'group.flow') {
		const groupJid = item.groupJid?.toLowerCase();
		if (filters.groupJids.length > 0 && !(groupJid && filters.groupJids.includes(groupJid)))
			return 'group not selected';
		const change = item.change ?? '';
		const bucket: GroupChangeFilter = (MEMBERSHIP_CHANGES as readonly string[]).includes(change)
			? (change as GroupChangeFilter)
			: 'other';
		if (filters.groupChanges.length > 0 && !filters.groupChanges.includes(bucket))
			return 'change not selected';
	}
	if (item.event === 'instance.state') {
		const state = item.state ?? null;
		if (filters.instanceStates.length > 0 && !(state && filters.instanceStates.includes(state)))
			return 'state not selected';
	}
	return undefined;
}
