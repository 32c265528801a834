import { createHash } from 'node:crypto';

import { isRecord } from '../shared/interfaces';

import type { EventName } from './events';
import { EVENT_NAMES, isEventName } from './events';

/** A delivery as RyzeAPI documents it: `{event, data, instanceData: {instance, token, baseUrl}}`. */
export interface DeliveryEnvelope {
	event: EventName;
	instance: string;
	/** The instance's own token (a secret): used to redact it, never passed on. */
	token: string | undefined;
	data: Record<string, unknown>;
}

export type EnvelopeReading =
	{ ok: true; envelope: DeliveryEnvelope } | { ok: false; reason: string };

/**
 * Reads the envelope strictly (the event name, the instance, a data object) and nothing inside
 * `data`, whose fields are not published for every event. Never throws, whatever the body. Pure.
 */
export function readDeliveryEnvelope(body: unknown): EnvelopeReading {
	if (!isRecord(body)) return { ok: false, reason: 'the body is not a JSON object' };
	if (!isEventName(body.event)) {
		return { ok: false, reason: `"event" is not one of ${EVENT_NAMES.join(', ')}` };
	}
	const instanceData = body.instanceData;
	const instance = isRecord(instanceData) ? instanceData.instance : undefined;
	if (typeof instance !== 'string' || instance.trim() === '') {
		return { ok: false, reason: '"instanceData.instance" is missing' };
	}
	if (!isRecord(body.data)) return { ok: false, reason: '"data" is missing or not an object' };
	const token = isRecord(instanceData) ? instanceData.token : undefined;
	return {
		ok: true,
		envelope: {
			event: body.event,
			instance,
			token: typeof token === 'string' && token !== '' ? token : undefined,
			data: body.data,
		},
	};
}

/**
 * The identity of an event for deduplication. The envelope has no id, so the event is its
 * content: the name, the instance and the payload, never the token (a token change must not make
 * a redelivery new, and no key should be derived from a secret). Pure.
 */
export function deliveryKey(envelope: DeliveryEnvelope): string {
	return createHash('sha256')
		.update(JSON.stringify([envelope.event, envelope.instance, envelope.data]))
		.digest('base64url');
}
