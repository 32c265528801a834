/**
 * What one poll of the group list means: the groups the number joined and left since the last
 * poll, and whether its instance disconnected or came back. The first poll (or the first after the
 * credential names another instance) only records the list: there is nothing to compare with. A
 * failed poll changes nothing (decided by the caller: it never gets here). Pure; a set per list,
 * so thousands of groups cost no more than reading them.
 */
import type { ListedGroup } from '../shared/groupAnswers';

export type PollEvent = 'joined' | 'left' | 'disconnected' | 'reconnected';

/** Kept in the trigger's static data between polls: where it polled, and what it saw. */
export interface PollState {
	server?: string;
	instance?: string;
	/** The groups of the last successful list, sorted; undefined before the first. */
	groupJids?: string[];
	/** Whether the last answer said the instance is connected; undefined before the first. */
	connected?: boolean;
}

/** Groups remembered at most: an instance in more than this loses track of the rest. */
const MAX_TRACKED_GROUPS = 50_000;

export type PollAnswer = { kind: 'list'; groups: ListedGroup[] } | { kind: 'notConnected' };

export interface PollChange {
	event: PollEvent;
	/** The group joined (as listed now) or left (its JID only: it is no longer listed). */
	group?: ListedGroup | { groupJid: string };
}

/**
 * What the first poll of an activation compares with: when the user activated the workflow, the
 * list it finds (what changed while the workflow was off is not news, and would start a burst of
 * executions); when n8n restarted or the active workflow was saved ('init', 'update'), the last
 * list, so what changed meanwhile is reported. Later polls compare with the last list.
 */
export function stateToCompare(
	saved: PollState,
	firstPollOfActivation: boolean,
	activationMode: string,
): PollState {
	return firstPollOfActivation && activationMode === 'activate' ? {} : saved;
}

export function changesSince(
	previous: PollState,
	answer: PollAnswer,
	where: { server: string; instance: string },
): { changes: PollChange[]; next: PollState } {
	const samePlace = previous.server === where.server && previous.instance === where.instance;
	const before: PollState = samePlace ? previous : {};
	if (answer.kind === 'notConnected') {
		const changes: PollChange[] = before.connected === true ? [{ event: 'disconnected' }] : [];
		return { changes, next: { ...where, groupJids: before.groupJids, connected: false } };
	}
	const groupJids = [...new Set(answer.groups.map((group) => group.groupJid))]
		.sort()
		.slice(0, MAX_TRACKED_GROUPS);
	const next: PollState = { ...where, groupJids, connected: true };
	const changes: PollChange[] = before.connected === false ? [{ event: 'reconnected' }] : [];
	if (before.groupJids === undefined) return { changes, next };
	const known = new Set(before.groupJids);
	const now = new Set(groupJids);
	for (const group of answer.groups) {
		if (now.has(group.groupJid) && !known.has(group.groupJid)) {
			changes.push({ event: 'joined', group });
			known.add(group.groupJid);
		}
	}
	for (const groupJid of before.groupJids) {
		if (!now.has(groupJid)) changes.push({ event: 'left', group: { groupJid } });
	}
	return { changes, next };
}
