/**
 * What each operation reads out of its route's successful answer, and its own names for the
 * route's refusals. The rules every answer shares are in classifyAnswer.ts. Pure.
 */
import type { AnswerSpec, Envelope } from './classifyAnswer';
import type { ApiRequest } from './interfaces';
import { isRecord } from './interfaces';

export interface JoinSuccess {
	status: 'joined' | 'pending_approval';
	groupJid: string;
	requiresApproval: boolean;
	message: string;
	/** From version 1.2: true when no request was sent because the join ledger knew the code. */
	fromLedger?: boolean;
}

/** POST /api/group/join: `{ success, message, groupJid, requiresApproval }`. */
export const JOIN_ANSWER: AnswerSpec<JoinSuccess> = {
	expected: 'success and groupJid',
	readSuccess(envelope) {
		const groupJid = nonEmptyText(envelope.groupJid);
		if (groupJid === undefined) return undefined;
		const requiresApproval = envelope.requiresApproval === true;
		return {
			status: requiresApproval ? 'pending_approval' : 'joined',
			groupJid,
			requiresApproval,
			message: messageOf(envelope),
		};
	},
};

function messageOf(envelope: Envelope): string {
	return typeof envelope.message === 'string' ? envelope.message : '';
}

function nonEmptyText(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * What Preview Invite puts on an item: the group's documented fields, null where the API sent none.
 * The group's name, description, image and creation are prefixed with "group", so that a sheet's
 * own "name" or "createdAt" column survives the preview.
 */
export interface GroupPreview {
	groupName: string | null;
	groupJid: string;
	groupDescription: string | null;
	participantCount: number | null;
	requireAdminApproval: boolean | null;
	membersCanEditInfo: boolean | null;
	membersCanSendMessages: boolean | null;
	membersCanAddOthers: boolean | null;
	inviteCode: string | null;
	inviteLink: string | null;
	groupCreatedAt: string | null;
	groupCreatedBy: string | null;
	groupImage: string | null;
	isEphemeral: boolean | null;
	isIncognito: boolean | null;
	isSuspended: boolean | null;
	/** Only when asked for (Include Participants): big groups have thousands. */
	participants?: unknown[];
	message: string;
}

/**
 * GET /api/group/info: a GroupDetail. Where it sits in the body is not documented (the reset-link
 * page reads `group.inviteLink`), so it is read from `group`, `data` or the top level, whichever
 * holds the group's JID (`jid`, or `groupJid`).
 */
export const PREVIEW_ANSWER: AnswerSpec<GroupPreview> = {
	expected: "success and the group's jid",
	readSuccess(envelope) {
		const group = [envelope.group, envelope.data, envelope].find(
			(candidate): candidate is Record<string, unknown> =>
				isRecord(candidate) && nonEmptyText(candidate.jid ?? candidate.groupJid) !== undefined,
		);
		if (!group) return undefined;
		const settings = isRecord(group.groupSettings) ? group.groupSettings : {};
		const participants = Array.isArray(group.participants) ? group.participants : undefined;
		const count = group.participantCount;
		return {
			groupName: text(group.name),
			groupJid: nonEmptyText(group.jid ?? group.groupJid) as string,
			groupDescription: text(group.description),
			participantCount:
				typeof count === 'number' && Number.isFinite(count)
					? count
					: (participants?.length ?? null),
			requireAdminApproval: flag(settings.requireAdminApproval),
			membersCanEditInfo: flag(settings.membersCanEditInfo),
			membersCanSendMessages: flag(settings.membersCanSendMessages),
			membersCanAddOthers: flag(settings.membersCanAddOthers),
			inviteCode: text(group.inviteCode),
			inviteLink: text(group.inviteLink),
			groupCreatedAt: text(group.createdAt),
			groupCreatedBy: text(group.createdBy),
			groupImage: text(group.image),
			isEphemeral: flag(group.isEphemeral),
			isIncognito: flag(group.isIncognito),
			isSuspended: flag(group.isSuspended),
			...(participants ? { participants } : {}),
			message: messageOf(envelope),
		};
	},
};

export interface LeaveSuccess {
	groupJid: string;
	message: string;
}

/** DELETE /api/group/leave: `{ success, message, groupJid }`; 404 means not (or no longer) a member. */
export const LEAVE_ANSWER: AnswerSpec<LeaveSuccess> = {
	expected: 'success and groupJid',
	readSuccess(envelope) {
		const groupJid = nonEmptyText(envelope.groupJid);
		return groupJid === undefined ? undefined : { groupJid, message: messageOf(envelope) };
	},
	reasonFor(status, message) {
		// "Group not found or you are not a member of this group": for a cleanup, already done.
		if (status === 404 && !/instance/i.test(message)) return 'not_a_member';
		return undefined;
	},
};

function text(value: unknown): string | null {
	return typeof value === 'string' ? value : null;
}

function flag(value: unknown): boolean | null {
	return typeof value === 'boolean' ? value : null;
}

/**
 * GET /api/group/list/{instance}: the groups the number is in. Its answer is not documented, so
 * the list is read tolerantly (under `groups`, `data` or `data.groups` of the API's envelope; a
 * body that is a bare list is not the envelope: classifyAnswer's one rule for a 2xx) and a big
 * instance's list may be long: up to 32 MiB is read.
 */
export const LIST_GROUPS_REQUEST: ApiRequest = {
	method: 'GET',
	route: 'list',
	maxBodyBytes: 32 * 1024 * 1024,
};

/** A group of the list, as the items show it: only what RyzeAPI sent, null where it sent nothing. */
export interface ListedGroup {
	groupJid: string;
	groupName: string | null;
	groupDescription: string | null;
	participantCount: number | null;
	inviteCode: string | null;
	inviteLink: string | null;
	groupCreatedBy: string | null;
	groupCreatedAt: string | null;
	isCommunity: boolean | null;
}

export const LIST_ANSWER: AnswerSpec<ListedGroup[]> = {
	expected: 'success and a list of groups',
	readSuccess(envelope) {
		const data = envelope.data;
		const list = [envelope.groups, data, isRecord(data) ? data.groups : undefined].find(
			(candidate): candidate is unknown[] => Array.isArray(candidate),
		);
		return list?.flatMap((entry) => {
			const group = listedGroup(entry);
			return group ? [group] : [];
		});
	},
};

/** A list entry with a group JID where /info puts it (`jid`, `groupJid`) or under `id`; else skipped. */
function listedGroup(entry: unknown): ListedGroup | undefined {
	if (!isRecord(entry)) return undefined;
	const jid = [entry.jid, entry.groupJid, entry.id].find(
		(candidate): candidate is string =>
			typeof candidate === 'string' && /@g\.us$/i.test(candidate.trim()),
	);
	if (jid === undefined) return undefined;
	const participants = Array.isArray(entry.participants) ? entry.participants : undefined;
	const count = entry.participantCount ?? entry.size;
	return {
		groupJid: jid.trim().toLowerCase(),
		groupName: text(entry.name ?? entry.subject),
		groupDescription: text(entry.description ?? entry.topic),
		participantCount:
			typeof count === 'number' && Number.isFinite(count) ? count : (participants?.length ?? null),
		inviteCode: text(entry.inviteCode),
		inviteLink: text(entry.inviteLink),
		groupCreatedBy: text(entry.createdBy ?? entry.owner),
		groupCreatedAt: text(entry.createdAt),
		isCommunity: flag(entry.isCommunity ?? entry.isParent),
	};
}
