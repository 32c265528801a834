/**
 * What each operation reads out of its route's successful answer, and its own names for the
 * route's refusals. The rules every answer shares are in classifyAnswer.ts. Pure.
 */
import type { AnswerSpec, Envelope } from './classifyAnswer';
import { isRecord } from './interfaces';

export interface JoinSuccess {
	status: 'joined' | 'pending_approval';
	groupJid: string;
	requiresApproval: boolean;
	message: string;
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

export function messageOf(envelope: Envelope): string {
	return typeof envelope.message === 'string' ? envelope.message : '';
}

export function nonEmptyText(value: unknown): string | undefined {
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
