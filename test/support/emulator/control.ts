import type { Answer } from './webhooks';
import { envelope } from './envelope';

/**
 * The emulator's test control surface, under /_emulator/ on loopback: no token, no rate limit, no
 * faults (it is not the provider's API). Each route answers once the events it causes are
 * started, not delivered; RyzeApiEmulator.deliveriesSettled() awaits them.
 */
export interface EmulatorControls {
	hasInstance(instance: string): boolean;
	/** The number of deliveries started, or undefined when no such pending request exists. */
	approvePendingJoin(instance: string, identifier: string): number | undefined;
	reportInstanceState(instance: string, state: string): number;
	emit(instance: string, event: string, data: unknown): number;
	/** False when the instance was not restricted. */
	liftRestriction(instance: string): boolean;
}

export const CONTROL_ROUTES = [
	'POST /_emulator/approve/:instance        {"identifier": "<code or invite link>"}',
	'POST /_emulator/instance-state/:instance {"state": "temp_banned"}  (any instance.state name)',
	'POST /_emulator/events/:instance         {"event": "message.exchange", "data": {...}}',
	"POST /_emulator/lift-restriction/:instance  (WhatsApp lifts the number's restriction)",
] as const;

export function answerControlRoute(
	controls: EmulatorControls,
	method: string,
	rawPath: string,
	body: unknown,
): Answer {
	const match = /^\/_emulator\/(approve|instance-state|events|lift-restriction)\/([^/]+)$/.exec(
		rawPath,
	);
	if (!match || method !== 'POST') return { status: 404, body: envelope('Route not found') };
	const instance = safeDecode(match[2]);
	if (instance === undefined || !controls.hasInstance(instance))
		return { status: 404, body: envelope('Instance not found') };
	const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
	switch (match[1]) {
		case 'approve':
			return approve(controls, instance, fields.identifier);
		case 'lift-restriction':
			return { status: 200, body: { success: true, lifted: controls.liftRestriction(instance) } };
		case 'instance-state':
			if (typeof fields.state !== 'string' || fields.state === '') return invalidBody();
			return started(controls.reportInstanceState(instance, fields.state));
		default:
			if (typeof fields.event !== 'string' || fields.event === '') return invalidBody();
			return started(controls.emit(instance, fields.event, fields.data ?? {}));
	}
}

function approve(controls: EmulatorControls, instance: string, identifier: unknown): Answer {
	if (typeof identifier !== 'string') return invalidBody();
	const deliveries = controls.approvePendingJoin(instance, identifier);
	if (deliveries === undefined)
		return { status: 404, body: envelope('Pending join request not found') };
	return started(deliveries);
}

function started(deliveries: number): Answer {
	return { status: 200, body: { success: true, deliveries } };
}

function invalidBody(): Answer {
	return { status: 400, body: envelope('Invalid request body') };
}

function safeDecode(text: string): string | undefined {
	try {
		return decodeURIComponent(text);
	} catch {
		return undefined;
	}
}
