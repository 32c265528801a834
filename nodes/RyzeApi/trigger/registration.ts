/**
 * What registering the trigger's webhook at RyzeAPI decides (RyzeAPI's webhook
 * pages): reading the provider's rows, whether our row is there and up to date, which labels
 * take the instance's slots, what to send, and what a refusal means. Pure.
 */
import { describeNoAnswer, envelopeOf } from '../shared/classifyAnswer';
import type { RawAnswer } from '../shared/interfaces';
import { isRecord } from '../shared/interfaces';
import { readRateLimitHeaders } from '../shared/rateLimitHeaders';
import { statusWords } from '../shared/statusWords';
import { authorizationMatches } from './authorization';
import { MAX_ENABLED_WEBHOOKS } from './events';
import { redactToken } from './redaction';

/** One row of GET /api/events/getWebhook, read tolerantly. */
export interface WebhookRow {
	label: string;
	enabled: boolean;
	url: string | null;
	authorization: unknown;
	events: string[] | null;
}

/** What our row must hold: the label, where to deliver, the header to send, the events. */
export interface WantedRegistration {
	label: string;
	url: string;
	authorization: string;
	events: string[];
}

/** What our row must hold, as the static data knows it: the header by its hash only. */
export interface ExpectedRegistration extends Omit<WantedRegistration, 'authorization'> {
	authorizationHash: string;
}

function readWebhookRow(raw: unknown): WebhookRow | undefined {
	if (!isRecord(raw)) return undefined;
	const label = typeof raw.label === 'string' && raw.label !== '' ? raw.label : 'default';
	const url = typeof raw.url === 'string' && raw.url !== '' ? raw.url : null;
	// Disabling clears the url: a row that does not say whether it is enabled counts when it has one.
	const enabled = raw.enabled === true || (raw.enabled === undefined && url !== null);
	const events = Array.isArray(raw.events)
		? raw.events.filter((event): event is string => typeof event === 'string')
		: null;
	return { label, enabled, url, authorization: raw.authorization, events };
}

/** The list answer `{webhooks: [...]}`; an answer without a list reads as no rows. */
export function readWebhookRows(body: unknown): WebhookRow[] {
	const list = isRecord(body) && Array.isArray(body.webhooks) ? body.webhooks : [];
	return list.map(readWebhookRow).filter((row): row is WebhookRow => row !== undefined);
}

/** The answer about one label (`{webhook: {...}}`), or a bare row. */
export function readSingleWebhook(body: unknown): WebhookRow | undefined {
	return readWebhookRow(isRecord(body) && isRecord(body.webhook) ? body.webhook : body);
}

/**
 * Whether the provider already delivers what we want: our label, enabled, this URL, the header
 * whose hash we stored, the same events in any order. Then an n8n restart registers nothing again.
 */
export function isCurrentRegistration(
	row: WebhookRow | undefined,
	wanted: ExpectedRegistration,
): boolean {
	if (!row || row.label !== wanted.label || !row.enabled || row.url !== wanted.url) return false;
	if (typeof row.authorization !== 'string') return false;
	if (!authorizationMatches(row.authorization, wanted.authorizationHash)) return false;
	const have = [...new Set(row.events ?? [])].sort();
	const want = [...new Set(wanted.events)].sort();
	return have.length === want.length && have.every((event, index) => event === want[index]);
}

/**
 * The enabled labels that leave no slot for ours: none when ours is enabled already (an upsert
 * takes no new slot) or a slot is free.
 */
export function blockingLabels(rows: WebhookRow[], label: string): string[] {
	const enabled = rows.filter((row) => row.enabled);
	if (enabled.some((row) => row.label === label)) return [];
	return enabled.length >= MAX_ENABLED_WEBHOOKS ? enabled.map((row) => row.label) : [];
}

export function registrationBody(wanted: WantedRegistration): Record<string, unknown> {
	return {
		label: wanted.label,
		enabled: true,
		url: wanted.url,
		authorization: wanted.authorization,
		// The event name would otherwise be appended to the URL, which n8n does not route.
		byEvents: false,
		events: wanted.events,
	};
}

export function disableBody(label: string): Record<string, unknown> {
	return { label, enabled: false };
}

export function slotsFullMessage(instance: string, labels: string[]): string {
	const named =
		labels.length > 0 ? `: ${labels.map((label) => JSON.stringify(label)).join(', ')}` : '';
	return (
		`RyzeAPI allows ${MAX_ENABLED_WEBHOOKS} enabled webhooks per instance and instance ${JSON.stringify(instance)} has no free one${named}. ` +
		'Free one: deactivate the n8n workflow that owns an "n8n-<workflow id>-…" label (its editor URL ends with that id; ' +
		'"n8n-test-…" labels are freed when the editor stops listening), or disable a webhook in the RyzeAPI dashboard.'
	);
}

export interface RefusalContext {
	/** e.g. "register", "check", "disable". */
	action: string;
	label: string;
	instance: string;
	origin: string;
	/** The enabled labels, when known: a slot-limit refusal names them. */
	enabledLabels: string[];
	/** Kept out of every message, should the provider echo it. */
	secret?: string;
}

/** What to tell the user when RyzeAPI did not do what was asked (not a 2xx, or no answer at all). */
export function describeRefusal(answer: RawAnswer, context: RefusalContext): string {
	const start = `Could not ${context.action} the RyzeAPI webhook ${JSON.stringify(context.label)} of instance ${JSON.stringify(context.instance)}`;
	if (answer.kind === 'noAnswer') return `${start}: ${describeNoAnswer(answer, context.origin)}`;
	const { status } = answer;
	const provided = envelopeOf(answer)?.errorMessage;
	const message = provided === undefined ? undefined : shortened(provided, context.secret);
	if (status >= 400 && status < 500 && status !== 429 && message && isSlotLimit(message))
		return slotsFullMessage(context.instance, context.enabledLabels);
	const resetAtMs = readRateLimitHeaders(answer.headers)?.resetAtMs;
	const words = statusWords(status, { ...context, apiMessage: message, resetAtMs });
	const todo = words.check ? `Check the ${words.check} in the RyzeAPI credential.` : words.todo;
	return `${start}: ${words.happened}. ${todo}`;
}

/**
 * Whether a refusal's message is about the webhook slots. The provider documents no wording, so
 * it must speak of webhooks and of a limit: a bare "3" is not enough (a URL such as
 * http://10.0.0.3/x would otherwise read as a full instance).
 */
function isSlotLimit(message: string): boolean {
	return /webhook/i.test(message) && /\blimit|\bmax|\bat most\b/i.test(message);
}

/** The provider's message, cut to a readable length, with our secret redacted should it echo it. */
function shortened(message: string, secret: string | undefined): string {
	const safe = redactToken(message, secret) as string;
	return safe.length > 200 ? `${safe.slice(0, 200)}…` : safe;
}
