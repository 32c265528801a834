/** trigger/envelope.ts: the delivery's envelope, read strictly, and its dedupe key. */
import fc from 'fast-check';

import { deliveryKey, readDeliveryEnvelope } from '../../nodes/RyzeApi/trigger/envelope';
import { EVENT_NAMES } from '../../nodes/RyzeApi/trigger/events';

const GOOD = {
	event: 'group.flow',
	data: { groupJid: '120363406289005073@g.us', type: 'joined' },
	instanceData: { baseUrl: 'https://api.example.com', instance: 'main', token: 'tok-123' },
};

describe('readDeliveryEnvelope', () => {
	it('reads the documented envelope', () => {
		expect(readDeliveryEnvelope(GOOD)).toEqual({
			ok: true,
			envelope: { event: 'group.flow', instance: 'main', token: 'tok-123', data: GOOD.data },
		});
	});

	it.each(EVENT_NAMES)('accepts the event %s', (event) => {
		expect(readDeliveryEnvelope({ ...GOOD, event }).ok).toBe(true);
	});

	it('reads a missing or empty token as none', () => {
		const reading = readDeliveryEnvelope({
			...GOOD,
			instanceData: { instance: 'main', token: '' },
		});
		expect(reading.ok && reading.envelope.token).toBeUndefined();
	});

	it.each([
		['not an object', 'hello', 'the body is not a JSON object'],
		['an array', [GOOD], 'the body is not a JSON object'],
		['null', null, 'the body is not a JSON object'],
		['an unknown event', { ...GOOD, event: 'group.update' }, '"event" is not one of'],
		['an event of another case', { ...GOOD, event: 'GROUP.FLOW' }, '"event" is not one of'],
		['no event', { ...GOOD, event: undefined }, '"event" is not one of'],
		['no instanceData', { ...GOOD, instanceData: undefined }, '"instanceData.instance"'],
		['a blank instance', { ...GOOD, instanceData: { instance: '  ' } }, '"instanceData.instance"'],
		['a numeric instance', { ...GOOD, instanceData: { instance: 3 } }, '"instanceData.instance"'],
		['no data', { ...GOOD, data: undefined }, '"data" is missing'],
		['data as an array', { ...GOOD, data: [] }, '"data" is missing'],
		['data as a string', { ...GOOD, data: 'x' }, '"data" is missing'],
	])('refuses %s', (_name, body, reason) => {
		const reading = readDeliveryEnvelope(body);
		expect(reading.ok).toBe(false);
		expect(!reading.ok && reading.reason).toContain(reason);
	});

	it('property: never throws, whatever JSON arrives', () => {
		fc.assert(
			fc.property(
				fc.oneof(
					fc.jsonValue(),
					fc.record({
						event: fc.oneof(fc.constantFrom(...EVENT_NAMES), fc.jsonValue()),
						instanceData: fc.oneof(fc.record({ instance: fc.jsonValue() }), fc.jsonValue()),
						data: fc.jsonValue(),
					}),
				),
				(body) => {
					const reading = readDeliveryEnvelope(body);
					if (reading.ok) {
						expect(EVENT_NAMES).toContain(reading.envelope.event);
						expect(reading.envelope.instance.trim()).not.toBe('');
					}
				},
			),
			{ numRuns: 1000, seed: 20250118 },
		);
	});
});

describe('deliveryKey', () => {
	const envelope = { event: 'group.flow' as const, instance: 'main', token: 't1', data: { a: 1 } };

	it('is the same for a redelivery, whatever the token', () => {
		expect(deliveryKey({ ...envelope, token: 't2' })).toBe(deliveryKey(envelope));
		expect(deliveryKey(envelope)).not.toContain('t1');
	});

	it.each([
		['event', { event: 'instance.state' as const }],
		['instance', { instance: 'second' }],
		['data', { data: { a: 2 } }],
	])('differs with the %s', (_name, change) => {
		expect(deliveryKey({ ...envelope, ...change })).not.toBe(deliveryKey(envelope));
	});
});
