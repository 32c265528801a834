/**
 * What each operation reads out of its route's successful answer, and its own names for the
 * route's refusals. The rules every answer shares are in classifyAnswer.ts. Pure.
 */
import type { AnswerSpec, Envelope } from './classifyAnswer';

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
