/** trigger/item.ts: what a delivery becomes, read tolerantly, the token nowhere. */
import fc from 'fast-check';

import type { DeliveryEnvelope } from '../../nodes/RyzeApi/trigger/envelope';
import { buildTriggerItem } from '../../nodes/RyzeApi/trigger/item';
import { stringsOf } from '../support/jsonStrings';

const TOKEN = 'instance-token-5d1c';
const envelope = (event: DeliveryEnvelope['event'], data: Record<string, unknown>) => ({
	event,
	instance: 'main',
	token: TOKEN,
	data,
});

describe('buildTriggerItem', () => {
	it('group.flow: the group, the change and the participants beside the payload', () => {
		const data = {
			type: 'add',
			groupJid: '120363406289005073@g.us',
			participants: [
				{ jid: '5511999999999@s.whatsapp.net', name: 'A' },
				'5511888888888@s.whatsapp.net',
			],
			note: `token ${TOKEN}`,
		};
		expect(buildTriggerItem(envelope('group.flow', data))).toEqual({
			event: 'group.flow',
			instance: 'main',
			data: { ...data, note: 'token [redacted]' },
			groupJid: '120363406289005073@g.us',
			change: 'joined',
			participants: ['5511999999999@s.whatsapp.net', '5511888888888@s.whatsapp.net'],
		});
	});

	it('group.flow without the fields: null for each', () => {
		const item = buildTriggerItem(envelope('group.flow', {}));
		expect(item).toMatchObject({ groupJid: null, change: null, participants: null });
	});

	it('instance.state: the state, REST spellings turned into the events ones', () => {
		expect(buildTriggerItem(envelope('instance.state', { state: 'Connected' })).state).toBe(
			'connected',
		);
		expect(buildTriggerItem(envelope('instance.state', { status: 'loggedout' })).state).toBe(
			'logged_out',
		);
		expect(buildTriggerItem(envelope('instance.state', {})).state).toBeNull();
	});

	it('other events: the payload only', () => {
		const item = buildTriggerItem(envelope('message.exchange', { id: 'm1' }));
		expect(item).toEqual({ event: 'message.exchange', instance: 'main', data: { id: 'm1' } });
	});

	it('property: the token appears nowhere in the item', () => {
		fc.assert(
			fc.property(
				fc.constantFrom('group.flow', 'instance.state', 'message.status' as const),
				fc.dictionary(fc.string(), fc.jsonValue()),
				fc.string({ minLength: 1, maxLength: 20 }),
				(event, data, token) => {
					const withToken = { ...data, groupJid: token, state: token, participants: [token] };
					const item = buildTriggerItem({ event, instance: `i-${token}`, token, data: withToken });
					for (const text of stringsOf(item)) expect(text.includes(token)).toBe(false);
				},
			),
			{ numRuns: 300, seed: 20250121 },
		);
	});
});

describe('the fields read from the payload', () => {
	const groupFlow = (data: Record<string, unknown>) =>
		buildTriggerItem(envelope('group.flow', data));
	/** The group's JID, read from where the payload may put it. */
	const readGroupJid = (data: Record<string, unknown>) => groupFlow(data).groupJid;
	/** The change, from `data.type` (null: no change in the payload). */
	const normaliseGroupChange = (raw: string | null) =>
		groupFlow(raw === null ? {} : { type: raw }).change;
	/** The participants, from `data.participants` (undefined: none in the payload). */
	const readParticipants = (raw: unknown) =>
		groupFlow(raw === undefined ? {} : { participants: raw }).participants;
	/** The state, from `data.state` (null: no state in the payload). */
	const normaliseInstanceState = (raw: string | null) =>
		buildTriggerItem(envelope('instance.state', raw === null ? {} : { state: raw })).state;

	it.each([
		[{ groupJid: 'a@g.us', group: { jid: 'b@g.us' } }, 'a@g.us'],
		[{ group: { jid: 'b@g.us' }, jid: 'c@g.us' }, 'b@g.us'],
		[{ group: { id: 'd@g.us' } }, 'd@g.us'],
		[{ jid: 'c@g.us', chatJid: 'e@g.us' }, 'c@g.us'],
		[{ chatJid: 'e@g.us' }, 'e@g.us'],
		[{ groupJid: 5, group: 'x' }, null],
	])('readGroupJid(%j) = %j', (data, expected) => {
		expect(readGroupJid(data)).toBe(expected);
	});

	it.each([
		['joined', 'joined'],
		[' JOIN ', 'joined'],
		['add', 'joined'],
		['added', 'joined'],
		['leave', 'left'],
		['remove', 'left'],
		['removed', 'left'],
		['promote', 'promoted'],
		['demote', 'demoted'],
		['Subject', 'subject'],
		['delete', 'delete'],
		['announce', 'announce'],
		['something-new', null],
		[null, null],
	])('normaliseGroupChange(%j) = %j', (raw, expected) => {
		expect(normaliseGroupChange(raw)).toBe(expected);
	});

	it.each([
		[undefined, null],
		['x', null],
		[[], []],
		[
			['a', { jid: 'b' }, { id: 'c' }, { name: 'd' }, 5, null, ' '],
			['a', 'b', 'c'],
		],
	])('readParticipants(%j) = %j', (raw, expected) => {
		expect(readParticipants(raw)).toEqual(expected);
	});

	it.each([
		['qr', 'qr_ready'],
		['LOGGEDOUT', 'logged_out'],
		['temp_banned', 'temp_banned'],
		['Something_New', 'something_new'],
		[null, null],
	])('normaliseInstanceState(%j) = %j', (raw, expected) => {
		expect(normaliseInstanceState(raw)).toBe(expected);
	});
});
