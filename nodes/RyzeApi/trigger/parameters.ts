/**
 * The trigger's parameters, checked once at activation (a refusal stops the activation with its
 * message) and read again for each delivery. Pure.
 */
import type { Checked } from '../shared/interfaces';
import { refuse } from '../shared/interfaces';
import { quoteForMessage, readGroupJid } from '../shared/inviteCode';
import type { EventName, GroupChangeFilter } from './events';
import { EVENT_NAMES, GROUP_CHANGE_FILTERS, isEventName } from './events';

/** The events a new trigger listens to: the two users build group workflows on. */
export const DEFAULT_EVENTS: EventName[] = ['group.flow', 'instance.state'];

export interface TriggerParameters {
	events: unknown;
	groupChanges?: unknown;
	groupJids?: unknown;
	instanceStates?: unknown;
}

/** What the trigger lets through. An empty list means "every one". */
export interface TriggerFilters {
	events: EventName[];
	groupChanges: GroupChangeFilter[];
	groupJids: string[];
	instanceStates: string[];
}

/**
 * Group JIDs (shared/inviteCode.ts reads each), a bare id completed; a chat with a person
 * (`@s.whatsapp.net`), a link or a name is refused, because it would silently match no event.
 */
function parseGroupJids(raw: unknown): Checked<string[]> {
	const text = typeof raw === 'string' ? raw : '';
	const jids: string[] = [];
	// Entries apart by commas, semicolons or lines; within one, spaces part JIDs but a name such
	// as "Weekend Hikers" is quoted whole.
	for (const entry of text.split(/[,;\n\r]+/).map((part) => part.trim())) {
		if (entry === '') continue;
		const read = entry.split(/\s+/).map((token) => readGroupJid(token, true));
		if (read.some((jid) => jid === undefined)) {
			return refuse(
				`Group JIDs: ${quoteForMessage(entry)} is not a group JID. Write group JIDs like 120363406289005073@g.us (or the number alone), separated by commas, spaces or new lines; a group's JID is the groupJid of Join Group's, Get Many Groups' and the triggers' items.`,
			);
		}
		for (const jid of read as string[]) if (!jids.includes(jid)) jids.push(jid);
	}
	return { ok: true, value: jids };
}

export function checkTriggerParameters(parameters: TriggerParameters): Checked<TriggerFilters> {
	const events = listOf(parameters.events);
	if (events.length === 0) {
		return refuse(
			`Events: choose at least one event to listen to (${EVENT_NAMES.join(', ')}). RyzeAPI would otherwise send all of them.`,
		);
	}
	const unknownEvent = events.find((event) => !isEventName(event));
	if (unknownEvent !== undefined) {
		return refuse(
			`Events: ${quoteForMessage(unknownEvent)} is not a RyzeAPI event; the events are ${EVENT_NAMES.join(', ')}.`,
		);
	}
	const groupChanges = listOf(parameters.groupChanges);
	const unknownChange = groupChanges.find(
		(change) => !(GROUP_CHANGE_FILTERS as readonly string[]).includes(change),
	);
	if (unknownChange !== undefined) {
		return refuse(
			`Group Changes: ${quoteForMessage(unknownChange)} is not one of ${GROUP_CHANGE_FILTERS.join(', ')}.`,
		);
	}
	const selected = events as EventName[];
	// Group JIDs only filter group.flow: a stale value left hidden by another event choice is ignored.
	const groupJids = selected.includes('group.flow')
		? parseGroupJids(parameters.groupJids)
		: { ok: true as const, value: [] };
	if (!groupJids.ok) return groupJids;
	return {
		ok: true,
		value: {
			events: selected,
			groupChanges: groupChanges as GroupChangeFilter[],
			groupJids: groupJids.value,
			instanceStates: listOf(parameters.instanceStates).map((state) => state.toLowerCase()),
		},
	};
}

/** A multi-option's value: an array of strings (an expression may also give one comma-separated string). */
function listOf(raw: unknown): string[] {
	const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [];
	const strings = items.filter((item): item is string => typeof item === 'string');
	return [...new Set(strings.map((item) => item.trim()).filter((item) => item !== ''))];
}
