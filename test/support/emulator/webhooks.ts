import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { envelope } from './envelope';

/**
 * The provider's events contract (shared/api/ryzeapi-events.md) for the emulator: the webhook
 * registry behind /api/events/* and the delivery of events to the registered URLs, with bounded
 * retries. server.ts authenticates and rate-limits the requests, then hands them here.
 */

export const EVENT_NAMES = [
	'message.exchange',
	'message.status',
	'call.update',
	'group.flow',
	'instance.state',
	'label.update',
] as const;

/** A row `(instance, label)` as persisted and answered. */
export interface Webhook {
	label: string;
	enabled: boolean;
	/** '' once soft-disabled (emulator's choice: the provider's page says "cleared", not to what). */
	url: string;
	/** '' when none: no Authorization header is sent (same choice as url). */
	authorization: string;
	byEvents: boolean;
	/** [] = all six. */
	events: string[];
	mediaBase64: boolean;
}

export interface DeliveryOptions {
	/** Tries per event and webhook, the first included. */
	attempts: number;
	/** Wait before the second try; doubles before each next one. */
	backoffMs: number;
	/** A try that has not answered by then failed. */
	timeoutMs: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = { attempts: 4, backoffMs: 200, timeoutMs: 5_000 };

/** One try of one delivery: the status it got back, or why it got none. */
export interface Delivery {
	instance: string;
	label: string;
	/** The URL posted to (with /<event> when byEvents). */
	url: string;
	event: string;
	attempt: number;
	status?: number;
	error?: string;
	at: number;
}

export interface InstanceData {
	baseUrl: string;
	instance: string;
	token: string;
}

/** The provider documents no status for a 4th enabled webhook: 400 is the emulator's choice. */
export const WEBHOOK_LIMIT = 3;
const LIMIT_MESSAGE = `Webhook limit reached: at most ${WEBHOOK_LIMIT} enabled webhooks per instance`;

export type Refusal = { ok: false; status: number; message: string };

export class WebhookHub {
	/** Every try, in the order it ended. */
	readonly deliveries: Delivery[] = [];

	/** instance → label → row. */
	private readonly rows = new Map<string, Map<string, Webhook>>();

	private readonly inFlight = new Set<Promise<void>>();

	private readonly waits = new Map<NodeJS.Timeout, () => void>();

	private readonly requests = new Set<ClientRequest>();

	/** Bumped by stop(): a chain started before gives up at its next step. */
	private generation = 0;

	constructor(
		private readonly delivery: () => DeliveryOptions,
		private readonly now: () => number,
	) {}

	/** POST /api/events/webhook: an upsert by label; every field overwrites (absent → its default). */
	upsert(instance: string, body: unknown): { ok: true; webhook: Webhook } | Refusal {
		const webhook = parseWebhook(body);
		if (!webhook) return { ok: false, status: 400, message: 'Invalid request body' };
		const rows = this.rowsOf(instance);
		const othersEnabled = [...rows.values()].filter(
			(row) => row.enabled && row.label !== webhook.label,
		).length;
		if (webhook.enabled && othersEnabled >= WEBHOOK_LIMIT)
			return { ok: false, status: 400, message: LIMIT_MESSAGE };
		rows.set(webhook.label, webhook);
		return { ok: true, webhook: { ...webhook, events: [...webhook.events] } };
	}

	/** Every row of the instance, enabled or not, sorted by label. */
	list(instance: string): Webhook[] {
		return [...this.rowsOf(instance).values()]
			.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
			.map((row) => ({ ...row, events: [...row.events] }));
	}

	find(instance: string, label: string): Webhook | undefined {
		const row = this.rowsOf(instance).get(label);
		return row && { ...row, events: [...row.events] };
	}

	/**
	 * Posts the envelope to every enabled webhook of the instance that takes this event; returns
	 * how many deliveries it started, without waiting for them (deliveriesSettled() does).
	 */
	emit(event: string, data: unknown, instanceData: InstanceData): number {
		const targets = [...this.rowsOf(instanceData.instance).values()].filter(
			(row) => row.enabled && (row.events.length === 0 || row.events.includes(event)),
		);
		const body = JSON.stringify({ event, data, instanceData });
		for (const row of targets) this.track(this.deliver(instanceData.instance, row, event, body));
		return targets.length;
	}

	/** Resolves once every delivery started so far, and any started meanwhile, has settled. */
	async settled(): Promise<void> {
		while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
	}

	/** Ends pending retries and requests in flight; their chains settle at once. */
	stop(): void {
		this.generation++;
		for (const [timer, resolve] of this.waits) {
			clearTimeout(timer);
			resolve();
		}
		this.waits.clear();
		for (const request of this.requests) request.destroy();
		this.requests.clear();
	}

	/** stop(), then forgets every webhook and the deliveries log. */
	reset(): void {
		this.stop();
		this.rows.clear();
		this.deliveries.length = 0;
	}

	private rowsOf(instance: string): Map<string, Webhook> {
		let rows = this.rows.get(instance);
		if (!rows) {
			rows = new Map();
			this.rows.set(instance, rows);
		}
		return rows;
	}

	private track(chain: Promise<void>): void {
		this.inFlight.add(chain);
		void chain.finally(() => this.inFlight.delete(chain));
	}

	/** Tries until a 2xx or the bound, waiting backoffMs, 2·backoffMs, … between tries. */
	private async deliver(
		instance: string,
		row: Webhook,
		event: string,
		body: string,
	): Promise<void> {
		const generation = this.generation;
		const { attempts, backoffMs, timeoutMs } = this.delivery();
		const url = targetUrl(row, event);
		for (let attempt = 1; attempt <= attempts; attempt++) {
			const outcome = await this.post(url, row.authorization, body, timeoutMs);
			if (generation !== this.generation) return;
			this.deliveries.push({
				instance,
				label: row.label,
				url,
				event,
				attempt,
				...outcome,
				at: this.now(),
			});
			if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) return;
			if (attempt < attempts) await this.wait(backoffMs * 2 ** (attempt - 1));
			if (generation !== this.generation) return;
		}
	}

	private wait(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.waits.delete(timer);
				resolve();
			}, ms);
			this.waits.set(timer, resolve);
		});
	}

	/** One POST; never rejects: the outcome is a status or an error's message. */
	private post(
		url: string,
		authorization: string,
		body: string,
		timeoutMs: number,
	): Promise<{ status?: number; error?: string }> {
		return new Promise((resolve) => {
			const headers: Record<string, string | number> = {
				'Content-Type': 'application/json',
				'Content-Length': Buffer.byteLength(body),
			};
			if (authorization !== '') headers.Authorization = authorization;
			const send = url.startsWith('https:') ? httpsRequest : httpRequest;
			const request = send(url, { method: 'POST', headers, agent: false });
			this.requests.add(request);
			const settle = (outcome: { status?: number; error?: string }) => {
				this.requests.delete(request);
				resolve(outcome);
			};
			request.setTimeout(timeoutMs, () =>
				request.destroy(new Error(`timeout after ${timeoutMs} ms`)),
			);
			request.on('response', (response: IncomingMessage) => {
				response.resume();
				response.on('end', () => settle({ status: response.statusCode }));
				response.on('error', (error) => settle({ error: error.message }));
			});
			request.on('error', (error) => settle({ error: error.message }));
			request.end(body);
		});
	}
}

export interface Answer {
	status: number;
	body: unknown;
}

/**
 * The events routes, once server.ts has checked the token, its scope, the instance and the rate
 * window. They work whatever the instance's connection state (the pages name no state check).
 */
export function answerEventsRoute(
	hub: WebhookHub,
	route: 'webhook' | 'getWebhook',
	method: string,
	instance: string,
	body: unknown,
	query: URLSearchParams,
): Answer {
	if (route === 'webhook') {
		if (method !== 'POST') return refusal(404, 'Route not found');
		const outcome = hub.upsert(instance, body);
		if (!outcome.ok) return refusal(outcome.status, outcome.message);
		// The configure page's answer is "the webhook object as persisted"; GET ?label= answers
		// {"webhook": ...} "same shape as POST": the emulator answers the same envelope here.
		return { status: 200, body: { webhook: outcome.webhook } };
	}
	if (method !== 'GET') return refusal(404, 'Route not found');
	if (!query.has('label')) return { status: 200, body: { webhooks: hub.list(instance) } };
	// The list page: an empty ?label= is still present and means "default".
	const webhook = hub.find(instance, query.get('label') || 'default');
	return webhook ? { status: 200, body: { webhook } } : refusal(404, 'Webhook not found');
}

function refusal(status: number, message: string): Answer {
	return { status, body: envelope(message) };
}

/** byEvents: the event name as the URL's last path segment, before any query. */
function targetUrl(row: Webhook, event: string): string {
	if (!row.byEvents) return row.url;
	const url = new URL(row.url);
	url.pathname = `${url.pathname.replace(/\/$/, '')}/${event}`;
	return url.toString();
}

/** The body as a row, or undefined when it breaks a rule of the configure page. */
function parseWebhook(body: unknown): Webhook | undefined {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
	const fields = body as Record<string, unknown>;
	const label = optional(fields.label, '');
	const enabled = optional(fields.enabled, true);
	const byEvents = optional(fields.byEvents, false);
	if (label === undefined || enabled === undefined || byEvents === undefined) return undefined;
	const row = { label: label === '' ? 'default' : label, enabled, byEvents };
	// Soft-disable clears these whatever the body says; the row and byEvents stay.
	if (!enabled) return { ...row, url: '', authorization: '', events: [], mediaBase64: false };
	// The API reference renders authorization as {}; the prose and instance creation as a string.
	const authorization = optional(fields.authorization, '');
	const mediaBase64 = optional(fields.mediaBase64, false);
	const events = eventList(fields.events);
	const url = fields.url;
	if (authorization === undefined || mediaBase64 === undefined || events === undefined)
		return undefined;
	// Emulator's choice: the url must be an absolute http(s) URL, as it will be posted to.
	if (typeof url !== 'string' || !/^https?:\/\//i.test(url) || !URL.canParse(url)) return undefined;
	return { ...row, url, authorization, events, mediaBase64 };
}

/** The field, its fallback when absent, or undefined when it has another type than the fallback. */
function optional(value: unknown, fallback: string): string | undefined;
function optional(value: unknown, fallback: boolean): boolean | undefined;
function optional(value: unknown, fallback: string | boolean): string | boolean | undefined {
	if (value === undefined || value === null) return fallback;
	return typeof value === typeof fallback ? (value as string | boolean) : undefined;
}

/** Absent or empty: all six (kept as []); any name outside the six refuses the body. */
function eventList(value: unknown): string[] | undefined {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) return undefined;
	const known: readonly unknown[] = EVENT_NAMES;
	if (!value.every((name) => known.includes(name))) return undefined;
	return [...new Set(value as string[])];
}
