/**
 * What Preview Invite and Leave Group read out of their routes' answers (shared/groupAnswers.ts),
 * and parseGroupIdentifier: the JID, link or code those routes accept.
 */
import fc from 'fast-check';

import { classifyAnswer } from '../../nodes/RyzeApi/shared/classifyAnswer';
import { LEAVE_ANSWER, PREVIEW_ANSWER } from '../../nodes/RyzeApi/shared/groupAnswers';
import type { RawAnswer } from '../../nodes/RyzeApi/shared/interfaces';
import { parseGroupIdentifier, parseInviteIdentifier } from '../../nodes/RyzeApi/shared/inviteCode';

const JID = '120363406289005073@g.us';
const http = (status: number, body: unknown): RawAnswer => ({
	kind: 'http',
	status,
	headers: { 'content-type': 'application/json' },
	body: typeof body === 'string' ? body : JSON.stringify(body),
	bodyTooLarge: false,
});
const detail = {
	name: 'Dev Team',
	jid: JID,
	description: 'Technical discussions',
	inviteCode: 'ABC123XYZ',
	inviteLink: 'https://chat.whatsapp.com/ABC123XYZ',
	participantCount: 3,
	groupSettings: { requireAdminApproval: true, membersCanAddOthers: false },
};

describe('PREVIEW_ANSWER', () => {
	const preview = (body: unknown, status = 200) =>
		classifyAnswer(http(status, body), 65_536, PREVIEW_ANSWER);

	test.each([
		['inside group', { success: true, group: detail }],
		['inside data', { success: true, data: detail }],
		['at the top level', { success: true, ...detail }],
	])('reads a GroupDetail %s', (_where, body) => {
		expect(preview(body).outcome).toEqual({
			ok: true,
			value: expect.objectContaining({
				groupName: 'Dev Team',
				groupJid: JID,
				participantCount: 3,
				requireAdminApproval: true,
				membersCanAddOthers: false,
				membersCanEditInfo: null,
				inviteCode: 'ABC123XYZ',
				groupCreatedAt: null,
			}),
		});
	});

	test('without participantCount, the size is the length of the participant list', () => {
		const { outcome } = preview({
			success: true,
			group: { jid: JID, participants: [{ jid: 'a' }, { jid: 'b' }] },
		});
		expect(outcome.ok && outcome.value.participantCount).toBe(2);
		expect(outcome.ok && outcome.value.participants).toHaveLength(2);
	});

	test('a success without a group JID is a server_error, not retried', () => {
		const classified = preview({ success: true, group: { name: 'x' } });
		expect(classified).toEqual({
			outcome: {
				ok: false,
				failure: expect.objectContaining({ reason: 'server_error', httpStatus: 200 }),
			},
		});
		expect(classified.transient).toBeUndefined();
	});

	test.each([
		[404, 'Group not found', 'group_not_found'],
		[400, 'Invite link has been revoked or expired', 'revoked_or_expired'],
		[400, 'Identifier is required', 'invalid_code'],
		[404, 'Instance not found', 'instance_unavailable'],
	])('%d %s: %s', (status, message, reason) => {
		expect(preview({ success: false, error: { message } }, status).outcome).toEqual({
			ok: false,
			failure: { reason, message, httpStatus: status },
		});
	});
});

describe('LEAVE_ANSWER', () => {
	const leave = (body: unknown, status = 200) =>
		classifyAnswer(http(status, body), 65_536, LEAVE_ANSWER).outcome;

	test('the documented success', () => {
		expect(leave({ success: true, message: 'Successfully left the group', groupJid: JID })).toEqual(
			{ ok: true, value: { groupJid: JID, message: 'Successfully left the group' } },
		);
	});

	test.each([
		[404, 'Group not found or you are not a member of this group', 'not_a_member'],
		[403, 'Not allowed to leave this group', 'not_allowed'],
		[400, 'Identifier is required', 'invalid_code'],
		[404, 'Instance not found', 'instance_unavailable'],
		[401, 'Invalid token', 'unauthorized'],
	])('%d %s: %s', (status, message, reason) => {
		expect(leave({ success: false, error: { message } }, status)).toEqual({
			ok: false,
			failure: { reason, message, httpStatus: status },
		});
	});
});

describe('parseGroupIdentifier', () => {
	test.each([
		[JID, JID],
		[` "${JID.toUpperCase()}" `, JID],
		['5511999999999-1500000000@g.us', '5511999999999-1500000000@g.us'],
		['https://chat.whatsapp.com/ABC123XYZ', 'ABC123XYZ'],
		['ABC123XYZ', 'ABC123XYZ'],
	])('%s is sent as %s', (input, sent) => {
		expect(parseGroupIdentifier(input)).toEqual({ ok: true, value: sent });
	});

	test.each([
		['5511999999999@s.whatsapp.net', /not of a group/],
		['199789077627112@lid', /not of a group/],
		['123@newsletter', /not of a group/],
		['abc@g.us', /.+/],
		[`${JID} ${JID}`, /.+/],
		['', /empty/],
	])('%s is refused', (input, message) => {
		const result = parseGroupIdentifier(input);
		expect(result.ok).toBe(false);
		expect(!result.ok && result.message).toMatch(message);
	});

	test('property: anything that is not a group JID is read exactly as Join reads it', () => {
		fc.assert(
			fc.property(fc.oneof(fc.string(), fc.anything()), (value) => {
				const asGroup = parseGroupIdentifier(value);
				const text = typeof value === 'string' ? value : '';
				if (!/@/.test(text)) expect(asGroup).toEqual(parseInviteIdentifier(value));
			}),
		);
	});

	test('property: a group JID is sent as it is, in lower case, whatever quotes and spaces surround it', () => {
		fc.assert(
			fc.property(
				fc.stringMatching(/^\d{5,32}$/),
				fc.constantFrom('', ' ', '"', "'", '\n'),
				(digits, edge) => {
					const jid = `${digits}@g.us`;
					expect(parseGroupIdentifier(`${edge}${jid.toUpperCase()}${edge}`)).toEqual({
						ok: true,
						value: jid,
					});
				},
			),
		);
	});
});
