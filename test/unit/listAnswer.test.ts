/**
 * What Get Many Groups and the Polling Trigger read out of the group list's answer
 * (shared/groupAnswers.ts, LIST_ANSWER): the list under `groups`, `data` or `data.groups`, a
 * group's JID under `jid`, `groupJid` or `id`, entries without a group JID skipped, and nothing
 * invented (a field the answer lacks is null).
 */
import fc from 'fast-check';

import { classifyAnswer } from '../../nodes/RyzeApi/shared/classifyAnswer';
import type { ListedGroup } from '../../nodes/RyzeApi/shared/groupAnswers';
import { LIST_ANSWER, LIST_GROUPS_REQUEST } from '../../nodes/RyzeApi/shared/groupAnswers';
import { http, listedGroup } from '../support/fakeAnswers';

const JSON_TYPE = { 'content-type': 'application/json' };
const JID = '120363406289005073@g.us';
const OTHER_JID = '120363400000000001@g.us';

function read(body: unknown) {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	return classifyAnswer(
		http(200, text, JSON_TYPE),
		LIST_GROUPS_REQUEST.maxBodyBytes ?? 0,
		LIST_ANSWER,
	);
}

function groupsOf(body: unknown): ListedGroup[] {
	const { outcome } = read(body);
	if (!outcome.ok) throw new Error(`expected a list, got ${outcome.failure.message}`);
	return outcome.value;
}

describe('where the list is', () => {
	const entries = [{ jid: JID }, { jid: OTHER_JID }];

	test.each([
		['groups', { success: true, groups: entries }],
		['data', { success: true, data: entries }],
		['data.groups', { success: true, data: { groups: entries } }],
	])('under %s', (_where, body) => {
		expect(groupsOf(body)).toEqual([listedGroup(JID), listedGroup(OTHER_JID)]);
	});

	test('`groups` comes first when the answer has several lists', () => {
		const body = { success: true, groups: [{ jid: JID }], data: [{ jid: OTHER_JID }] };
		expect(groupsOf(body)).toEqual([listedGroup(JID)]);
	});

	test('an empty list is a list: no groups, not a failure', () => {
		expect(groupsOf({ success: true, message: '0 groups found', groups: [] })).toEqual([]);
	});

	test('a success without any list is server_error, not retried (the envelope was there)', () => {
		const { outcome, transient } = read({ success: true, message: 'ok', data: { count: 2 } });
		expect(outcome).toEqual({
			ok: false,
			failure: expect.objectContaining({
				reason: 'server_error',
				httpStatus: 200,
				message: expect.stringContaining('success and a list of groups'),
			}),
		});
		expect(transient).toBeUndefined();
	});

	test('the API refusing (success false) keeps its own words', () => {
		const { outcome } = read({ success: false, message: 'Instance disconnected' });
		expect(outcome).toEqual({
			ok: false,
			failure: expect.objectContaining({ reason: 'instance_unavailable' }),
		});
	});
});

describe('each entry', () => {
	test.each([
		['jid', { jid: JID }],
		['groupJid', { groupJid: JID }],
		['id', { id: JID }],
		['jid, trimmed and in lower case', { jid: `  ${JID.toUpperCase()} ` }],
		['the first of jid, groupJid, id that is a group JID', { jid: 'x@s.whatsapp.net', id: JID }],
	])('its JID under %s', (_where, entry) => {
		expect(groupsOf({ success: true, groups: [entry] })).toEqual([listedGroup(JID)]);
	});

	test('entries without a group JID are skipped, the rest kept in order', () => {
		const groups = [
			{ jid: JID, name: 'First' },
			{ jid: '5511999999999@s.whatsapp.net', name: 'A person' },
			{ name: 'No JID' },
			{ id: 12345 },
			null,
			'120363400000000009@g.us',
			[{ jid: JID }],
			{ groupJid: OTHER_JID, name: 'Second' },
		];
		expect(
			groupsOf({ success: true, groups }).map((group) => [group.groupJid, group.groupName]),
		).toEqual([
			[JID, 'First'],
			[OTHER_JID, 'Second'],
		]);
	});

	test('a GroupDetail as /info shapes it: its fields under the item names', () => {
		const detail = {
			name: 'Dev Team',
			jid: JID,
			description: 'Technical discussions',
			inviteCode: 'ABC123XYZ',
			inviteLink: 'https://chat.whatsapp.com/ABC123XYZ',
			createdBy: '5511999999999@s.whatsapp.net',
			createdAt: '2026-01-15T10:00:00Z',
			participantCount: 6,
			groupSettings: { requireAdminApproval: true },
			isCommunity: false,
		};
		expect(groupsOf({ success: true, groups: [detail] })).toEqual([
			{
				groupJid: JID,
				groupName: 'Dev Team',
				groupDescription: 'Technical discussions',
				participantCount: 6,
				inviteCode: 'ABC123XYZ',
				inviteLink: 'https://chat.whatsapp.com/ABC123XYZ',
				groupCreatedBy: '5511999999999@s.whatsapp.net',
				groupCreatedAt: '2026-01-15T10:00:00Z',
				isCommunity: false,
			},
		]);
	});

	test("WhatsApp's own names (subject, topic, owner, size, isParent) are read too", () => {
		const entry = { id: JID, subject: 'S', topic: 'T', owner: 'O', size: 12, isParent: true };
		expect(groupsOf({ success: true, data: [entry] })).toEqual([
			{
				...listedGroup(JID),
				groupName: 'S',
				groupDescription: 'T',
				groupCreatedBy: 'O',
				participantCount: 12,
				isCommunity: true,
			},
		]);
	});

	test('without a count, the size is the length of the participant list; the list itself is not copied', () => {
		const [group] = groupsOf({ success: true, groups: [{ jid: JID, participants: [{}, {}, {}] }] });
		expect(group).toEqual({ ...listedGroup(JID), participantCount: 3 });
	});

	test('fields of the wrong type are null, never coerced', () => {
		const entry = {
			jid: JID,
			name: 42,
			description: { text: 'x' },
			participantCount: '7',
			inviteCode: null,
			createdAt: 1_700_000_000,
			isCommunity: 'yes',
		};
		expect(groupsOf({ success: true, groups: [entry] })).toEqual([listedGroup(JID)]);
	});

	test('property: nothing invented: every field is the entry’s own value or null, and only group JIDs are listed', () => {
		const text = fc.option(fc.string(), { nil: undefined });
		const entry = fc.record(
			{
				jid: fc.oneof(
					fc.constant(JID),
					fc.constant(OTHER_JID),
					fc.string(),
					fc.constant('5511@s.whatsapp.net'),
				),
				name: text,
				description: text,
				inviteCode: text,
				inviteLink: text,
				createdAt: text,
				participantCount: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
			},
			{ requiredKeys: [] },
		);
		fc.assert(
			fc.property(fc.array(entry, { maxLength: 20 }), (entries) => {
				const listed = groupsOf({ success: true, groups: entries });
				const withJid = entries.filter(
					(candidate) => typeof candidate.jid === 'string' && /@g\.us$/i.test(candidate.jid.trim()),
				);
				expect(listed).toHaveLength(withJid.length);
				listed.forEach((group, index) => {
					const source = withJid[index];
					expect(group.groupJid).toBe(source.jid?.trim().toLowerCase());
					expect(group.groupName).toBe(source.name ?? null);
					expect(group.groupDescription).toBe(source.description ?? null);
					expect(group.inviteCode).toBe(source.inviteCode ?? null);
					expect(group.inviteLink).toBe(source.inviteLink ?? null);
					expect(group.groupCreatedAt).toBe(source.createdAt ?? null);
					expect(group.participantCount).toBe(source.participantCount ?? null);
					expect(group.groupCreatedBy).toBeNull();
					expect(group.isCommunity).toBeNull();
				});
			}),
		);
	});
});
