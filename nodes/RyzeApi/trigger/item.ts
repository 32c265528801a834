/**
 * The item a delivery becomes: the envelope's event and instance, the payload as received (the
 * instance's token redacted), and for the two events users filter on, a few fields read tolerantly
 * from a payload the provider does not publish (the names one public integration reads):
 * `null` where the payload does not carry them. Pure.
 */
import type { DeliveryEnvelope } from './envelope';
import type { JoinRecord } from '../ledger/records';
import { isRecord } from '../shared/interfaces';
import { redactToken } from './redaction';

export type MembershipChange = 'joined' | 'left' | 'promoted' | 'demoted';

export interface TriggerItem {
	[field: string]: unknown;
	event: string;
	instance: string;
	data: unknown;
	groupJid?: string | null;
	change?: string | null;
	participants?: string[] | null;
	state?: string | null;
}

/** Words seen for the four membership changes, in the WhatsApp libraries and integrations. */
const CHANGE_SYNONYMS: Record<string, MembershipChange> = {
	joined: 'joined',
	join: 'joined',
	add: 'joined',
	added: 'joined',
	left: 'left',
	leave: 'left',
	remove: 'left',
	removed: 'left',
	kick: 'left',
	kicked: 'left',
	promoted: 'promoted',
	promote: 'promoted',
	demoted: 'demoted',
	demote: 'demoted',
};

/** Metadata changes the docs name ("name, topic, announce, link, etc."): passed on by their own name. */
const METADATA_CHANGES = new Set([
	'name',
	'subject',
	'description',
	'topic',
	'announce',
	'restrict',
	'link',
	'delete',
	'picture',
	'ephemeral',
]);

/** The REST routes spell two states otherwise than the events do. */
const STATE_SPELLINGS: Record<string, string> = { loggedout: 'logged_out', qr: 'qr_ready' };

export function buildTriggerItem(envelope: DeliveryEnvelope): TriggerItem {
	const { event, instance, data } = envelope;
	const item: TriggerItem = { event, instance, data };
	if (event === 'group.flow') {
		item.groupJid = groupJidOfEvent(data);
		item.change = normaliseGroupChange(firstString(data.type, data.action, data.change));
		item.participants = readParticipants(data.participants);
	} else if (event === 'instance.state') {
		item.state = normaliseInstanceState(firstString(data.state, data.status));
	}
	// The whole item, not only data: the token must be in no field at all.
	return redactToken(item, envelope.token) as TriggerItem;
}

/** `data.groupJid`, else `data.group.jid` / `data.group.id`, else `data.jid`, else `data.chatJid`. */
function groupJidOfEvent(data: Record<string, unknown>): string | null {
	const group = isRecord(data.group) ? data.group : {};
	return firstString(data.groupJid, group.jid, group.id, data.jid, data.chatJid);
}

/**
 * joined, left, promoted or demoted for those changes under any of their usual words; a
 * recognised metadata change by its own lowercase name; null for anything else (the raw value
 * stays in `data`).
 */
function normaliseGroupChange(raw: string | null): string | null {
	if (raw === null) return null;
	const word = raw.trim().toLowerCase();
	return CHANGE_SYNONYMS[word] ?? (METADATA_CHANGES.has(word) ? word : null);
}

/** JIDs from a list of strings or of `{jid}` / `{id}` objects; null when there is no list. */
function readParticipants(raw: unknown): string[] | null {
	if (!Array.isArray(raw)) return null;
	const jids: string[] = [];
	for (const entry of raw) {
		const jid = isRecord(entry) ? firstString(entry.jid, entry.id) : firstString(entry);
		if (jid !== null) jids.push(jid);
	}
	return jids;
}

/** The state in lowercase, with the REST spellings turned into the events' ones. */
function normaliseInstanceState(raw: string | null): string | null {
	if (raw === null) return null;
	const state = raw.trim().toLowerCase();
	return STATE_SPELLINGS[state] ?? state;
}

function firstString(...candidates: unknown[]): string | null {
	for (const candidate of candidates) {
		if (typeof candidate === 'string' && candidate.trim() !== '') return candidate.trim();
	}
	return null;
}

/**
 * The item with what the join ledger knew of its group, when the event marked a pending join
 * joined: the invite code and when it was requested.
 */
export function withLedgerRecord(item: TriggerItem, record: JoinRecord | undefined): TriggerItem {
	if (!record) return item;
	return {
		...item,
		inviteCode: record.code,
		requestedAt: new Date(record.requestedAt).toISOString(),
	};
}
