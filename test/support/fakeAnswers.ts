/**
 * Answers as transport hands them to the retry and pacing code, without a server: a fixed clock,
 * a join accepted, the rate-limit headers as undici delivers them (lower case), a plain retry
 * policy and a random that always says one half. For the unit tests of runner/retryPolicy.ts,
 * the rate-limit headers and the TokenBudget (and its simulations); and a group of the list, for
 * the tests of the list's reading and of the polling trigger's changes.
 */
import { classifyAnswer } from '../../nodes/RyzeApi/shared/classifyAnswer';
import type { ListedGroup } from '../../nodes/RyzeApi/shared/groupAnswers';
import { JOIN_ANSWER } from '../../nodes/RyzeApi/shared/groupAnswers';
import type { RawAnswer } from '../../nodes/RyzeApi/shared/interfaces';
import type { RetryPolicy } from '../../nodes/RyzeApi/runner/retryPolicy';
import type { WindowAnswer } from './emulator/fixedWindow';

/** Why classifyAnswer calls a join answer transient (undefined: it is not): what the retry decision reads. */
export const transientOf = (answer: RawAnswer) =>
	classifyAnswer(answer, 64 * 1024, JOIN_ANSWER).transient;

/** 2026-01-01T00:00:00Z: a whole second, far from 0, like Date.now(). */
export const NOW = 1_767_225_600_000;
export const NOW_S = NOW / 1000;
export const JID = '120363406289005073@g.us';
export const JOINED = JSON.stringify({
	success: true,
	message: 'Successfully joined the group',
	groupJid: JID,
	requiresApproval: false,
});
/** Five tries, backoff from 1 s up to 60 s, and a task may wait 300 s in all (the node's defaults). */
export const POLICY: RetryPolicy = {
	maxTries: 5,
	baseDelayMs: 1_000,
	maxDelayMs: 60_000,
	maxRetryWaitMs: 300_000,
};
export const half = () => 0.5;

export function http(
	status: number,
	body = '',
	headers: Record<string, string | undefined> = {},
	bodyTooLarge = false,
): RawAnswer {
	return { kind: 'http', status, headers, body, bodyTooLarge };
}

export function rateHeaders(
	limit: number | string,
	remaining: number | string,
	resetSeconds: number | string,
): Record<string, string> {
	return {
		'x-ratelimit-limit': String(limit),
		'x-ratelimit-remaining': String(remaining),
		'x-ratelimit-reset': String(resetSeconds),
	};
}

/** The rate-limit headers a FixedWindow's answer carries, as undici delivers them. */
export function windowHeaders(window: Omit<WindowAnswer, 'allowed'>): Record<string, string> {
	return rateHeaders(window.limit, window.remaining, window.resetAtSeconds);
}

/** A cheap assertion for the simulations' inner loops (expect() there costs seconds). */
export function check(condition: boolean, message: string): void {
	if (!condition) throw new Error(message);
}

/** A group of the list as LIST_ANSWER gives it when RyzeAPI sent only its JID (and a name): null elsewhere. */
export function listedGroup(groupJid: string, groupName: string | null = null): ListedGroup {
	return {
		groupJid,
		groupName,
		groupDescription: null,
		participantCount: null,
		inviteCode: null,
		inviteLink: null,
		groupCreatedBy: null,
		groupCreatedAt: null,
		isCommunity: null,
	};
}
