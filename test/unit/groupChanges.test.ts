/**
 * What one poll of the group list means (polling/groupChanges.ts, changesSince): the first poll
 * records, later ones give joined, left, disconnected and reconnected; a credential moved to
 * another instance or server starts over; joined and left are exactly the set differences.
 */
import fc from 'fast-check';

import type { PollAnswer, PollState } from '../../nodes/RyzeApi/polling/groupChanges';
import { changesSince, stateToCompare } from '../../nodes/RyzeApi/polling/groupChanges';
import { listedGroup } from '../support/fakeAnswers';

const WHERE = { server: 'http://127.0.0.1:3555/api', instance: 'main' };

const jid = (n: number) => `1203634${String(n).padStart(11, '0')}@g.us`;

function list(...jids: string[]): PollAnswer {
	return { kind: 'list', groups: jids.map((each) => listedGroup(each)) };
}

const notConnected: PollAnswer = { kind: 'notConnected' };

/** The state after polls in a row at WHERE, and the events of each. */
function polls(...answers: PollAnswer[]): { state: PollState; events: string[][] } {
	let state: PollState = {};
	const events: string[][] = [];
	for (const answer of answers) {
		const { changes, next } = changesSince(state, answer, WHERE);
		events.push(
			changes.map((change) =>
				change.group ? `${change.event} ${change.group.groupJid}` : change.event,
			),
		);
		state = next;
	}
	return { state, events };
}

describe('the first poll', () => {
	test('records the list, sorted and without duplicates, and starts nothing', () => {
		const { changes, next } = changesSince({}, list(jid(3), jid(1), jid(3), jid(2)), WHERE);
		expect(changes).toEqual([]);
		expect(next).toEqual({ ...WHERE, groupJids: [jid(1), jid(2), jid(3)], connected: true });
	});

	test('an empty list is recorded too: a group listed next time is joined', () => {
		expect(polls(list(), list(jid(1))).events).toEqual([[], [`joined ${jid(1)}`]]);
	});

	test('an instance not connected at the first poll: no event, nothing listed yet', () => {
		const { changes, next } = changesSince({}, notConnected, WHERE);
		expect(changes).toEqual([]);
		expect(next).toEqual({ ...WHERE, groupJids: undefined, connected: false });
	});
});

describe('later polls', () => {
	test('joined: listed now, not before; left: listed before, not now; the joined group as listed', () => {
		const before: PollState = { ...WHERE, groupJids: [jid(1), jid(2)], connected: true };
		const { changes, next } = changesSince(
			before,
			{ kind: 'list', groups: [listedGroup(jid(2)), listedGroup(jid(3), 'New')] },
			WHERE,
		);
		expect(changes).toEqual([
			{ event: 'joined', group: listedGroup(jid(3), 'New') },
			{ event: 'left', group: { groupJid: jid(1) } },
		]);
		expect(next.groupJids).toEqual([jid(2), jid(3)]);
	});

	test('the same list again: nothing', () => {
		expect(polls(list(jid(1), jid(2)), list(jid(2), jid(1))).events).toEqual([[], []]);
	});

	test('a group listed twice in one answer is joined once', () => {
		expect(polls(list(), list(jid(5), jid(5))).events[1]).toEqual([`joined ${jid(5)}`]);
	});

	test('disconnected once, however many polls find it so; the list is kept meanwhile', () => {
		const { state, events } = polls(list(jid(1)), notConnected, notConnected);
		expect(events).toEqual([[], ['disconnected'], []]);
		expect(state).toEqual({ ...WHERE, groupJids: [jid(1)], connected: false });
	});

	test('reconnected, then what changed while it was away against the list kept', () => {
		const { events } = polls(list(jid(1), jid(2)), notConnected, list(jid(2), jid(3)));
		expect(events).toEqual([
			[],
			['disconnected'],
			['reconnected', `joined ${jid(3)}`, `left ${jid(1)}`],
		]);
	});

	test('not connected at the first poll, then listed: reconnected, and the list only recorded', () => {
		expect(polls(notConnected, list(jid(1))).events).toEqual([[], ['reconnected']]);
	});
});

describe('the credential names another instance or server', () => {
	const before: PollState = { ...WHERE, groupJids: [jid(1), jid(2)], connected: true };

	test.each([
		['another instance', { ...WHERE, instance: 'second' }],
		['another server', { ...WHERE, server: 'https://api.ryzeapi.example/api' }],
	])('%s: the list is recorded again, no joined, left or disconnected', (_what, where) => {
		const listed = changesSince(before, list(jid(3)), where);
		expect(listed.changes).toEqual([]);
		expect(listed.next).toEqual({ ...where, groupJids: [jid(3)], connected: true });

		const offline = changesSince(before, notConnected, where);
		expect(offline.changes).toEqual([]);
		expect(offline.next).toEqual({ ...where, groupJids: undefined, connected: false });
	});

	test('a disconnection remembered for the old instance does not make the new one "reconnected"', () => {
		const away: PollState = { ...WHERE, groupJids: [jid(1)], connected: false };
		expect(changesSince(away, list(jid(1)), { ...WHERE, instance: 'second' }).changes).toEqual([]);
	});
});

describe('property: joined and left are exactly the set differences', () => {
	const jids = fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 40 });

	test('joined = after − before, left = before − after, each once; the next state is after, sorted', () => {
		fc.assert(
			fc.property(jids, jids, fc.boolean(), (beforeNumbers, afterNumbers, wasConnected) => {
				const before = beforeNumbers.map(jid);
				const after = afterNumbers.map(jid);
				const previous: PollState = {
					...WHERE,
					groupJids: [...before].sort(),
					connected: wasConnected,
				};
				const { changes, next } = changesSince(previous, list(...after), WHERE);

				const joined = changes.filter((change) => change.event === 'joined');
				const left = changes.filter((change) => change.event === 'left');
				const sortedJids = (events: typeof changes) =>
					events.map((change) => change.group?.groupJid as string).sort();
				expect(sortedJids(joined)).toEqual(after.filter((each) => !before.includes(each)).sort());
				expect(sortedJids(left)).toEqual(before.filter((each) => !after.includes(each)).sort());
				expect(changes.filter((change) => change.event === 'reconnected')).toHaveLength(
					wasConnected ? 0 : 1,
				);
				expect(changes.some((change) => change.event === 'disconnected')).toBe(false);
				expect(next).toEqual({ ...WHERE, groupJids: [...after].sort(), connected: true });
			}),
		);
	});

	test('polls in a row: every group ever listed is joined and left alternately, never twice in a row', () => {
		fc.assert(
			fc.property(fc.array(jids, { minLength: 1, maxLength: 8 }), (lists) => {
				const { events } = polls(...lists.map((numbers) => list(...numbers.map(jid))));
				const last = new Map<string, string>();
				for (const event of events.slice(1).flat()) {
					const [kind, groupJid] = event.split(' ');
					expect(last.get(groupJid)).not.toBe(kind);
					last.set(groupJid, kind);
				}
			}),
		);
	});
});

test('20,000 groups with 1,000 swapped: 1,000 joined and 1,000 left', () => {
	const before = Array.from({ length: 20_000 }, (_, index) => jid(index));
	const after = Array.from({ length: 20_000 }, (_, index) => jid(index + 1_000));
	const previous: PollState = { ...WHERE, groupJids: [...before].sort(), connected: true };
	const { changes, next } = changesSince(previous, list(...after), WHERE);
	expect(changes.filter((change) => change.event === 'joined')).toHaveLength(1_000);
	expect(changes.filter((change) => change.event === 'left')).toHaveLength(1_000);
	expect(next.groupJids).toHaveLength(20_000);
});

describe('stateToCompare', () => {
	const saved = { server: 'http://x', instance: 'main', groupJids: ['1@g.us'], connected: true };
	test.each([
		[true, 'activate', {}],
		[true, 'init', saved],
		[true, 'update', saved],
		[false, 'activate', saved],
	])('first poll %s, activation %s', (first, mode, expected) => {
		expect(stateToCompare(saved, first, mode)).toEqual(expected);
	});
});
