import type { ErrorReason, Failure, NoAnswer, Outcome, RawAnswer } from './interfaces';
import { failure as fail } from './interfaces';
import type { RateLimitSnapshot } from './rateLimitHeaders';
import { readRateLimitHeaders } from './rateLimitHeaders';
import { answeredWords, statusWords } from './statusWords';

/** How one operation reads its route's answers; everything else about an answer is shared. */
export interface AnswerSpec<T> {
	/** What a usable success holds, named in the message when it is missing. */
	expected: string;
	/** The result carried by a 2xx envelope with `success: true`; undefined when it lacks what is expected. */
	readSuccess(envelope: Envelope): T | undefined;
	/** The operation's own reason for an API refusal (e.g. leave's 404), before the shared rules. */
	reasonFor?(status: number, message: string): ErrorReason | undefined;
}

/**
 * Why the same request may get a better answer later: the data the retry decision
 * (runner/retryPolicy.ts) is made from. Nothing answered (the network, a timeout; never an
 * untrusted certificate); the token's window is used up (429); WhatsApp throttles the number (a
 * 429 while the headers show requests left); the server failed (5xx, or a 2xx that is not the
 * API's JSON).
 */
export type Transient =
	| { kind: 'noAnswer'; timeout: boolean }
	| { kind: 'rateLimited'; retryAfter?: string; window?: RateLimitSnapshot }
	| { kind: 'throttled' }
	| { kind: 'failing'; status: number };

/** What an answer means: the outcome, and why another try may do better (undefined: it would not). */
export interface Classified<T> {
	outcome: Outcome<T>;
	transient?: Transient;
}

/** Where an item's message puts a server whose origin it does not know. */
const ITEM_ORIGIN = "the credential's base URL";

/**
 * Maps one answer of a group route to the operation's result or a failure with a reason. The API
 * has no error codes: errors are told apart by HTTP status plus message text (RyzeAPI's error
 * guide). The body is parsed once, here. Pure.
 */
export function classifyAnswer<T>(
	answer: RawAnswer,
	bodyLimitBytes: number,
	spec: AnswerSpec<T>,
): Classified<T> {
	if (answer.kind === 'noAnswer') {
		const outcome = fail(
			answer.failure === 'timeout' ? 'timeout' : 'network_error',
			describeNoAnswer(answer),
			null,
		);
		// A certificate this process does not trust stays untrusted until n8n restarts: no retry.
		if (answer.tls !== undefined) return { outcome };
		return { outcome, transient: { kind: 'noAnswer', timeout: answer.failure === 'timeout' } };
	}

	const { status } = answer;
	const envelope = envelopeOf(answer);
	const transient = transientStatus(answer);

	if (status >= 200 && status < 300) return classifySuccess(answer, envelope, bodyLimitBytes, spec);

	if (status >= 300 && status < 400) {
		const location = answer.headers.location;
		const words = statusWords(status, {
			origin: ITEM_ORIGIN,
			instance: '',
			body: location ? `to ${safeLocation(location)}` : undefined,
		});
		return {
			outcome: fail(
				'server_error',
				`${sentence(words.happened)} Check the ${words.check} in the RyzeAPI credential.`,
				status,
			),
		};
	}

	const apiMessage = envelope?.errorMessage;
	if (apiMessage === undefined) {
		return { outcome: failWithoutEnvelope(answer, envelope, bodyLimitBytes), transient };
	}
	const reason = spec.reasonFor?.(status, apiMessage) ?? reasonForApiError(status, apiMessage);
	return { outcome: fail(reason, apiMessage, status), transient };
}

/** A 2xx: the operation's result, the API's own refusal, or a body that is not what it expects. */
function classifySuccess<T>(
	answer: Extract<RawAnswer, { kind: 'http' }>,
	envelope: Envelope | undefined,
	bodyLimitBytes: number,
	spec: AnswerSpec<T>,
): Classified<T> {
	const { status } = answer;
	// The one rule for a usable 2xx: the API's envelope, with a boolean `success`.
	const usable = envelope !== undefined && typeof envelope.success === 'boolean';
	const value = usable && envelope.success === true ? spec.readSuccess(envelope) : undefined;
	if (value !== undefined) return { outcome: { ok: true, value } };
	if (usable && envelope.success === false && envelope.errorMessage) {
		const reason =
			spec.reasonFor?.(status, envelope.errorMessage) ??
			reasonFromMessage(envelope.errorMessage) ??
			'server_error';
		return { outcome: fail(reason, envelope.errorMessage, status) };
	}
	// Not what the operation expects: tried again only when the body was not the envelope at all.
	const outcome = fail(
		'server_error',
		`RyzeAPI answered HTTP ${status} without the expected result (${spec.expected}): ${describeBody(answer, envelope, bodyLimitBytes)}.`,
		status,
	);
	return usable ? { outcome } : { outcome, transient: { kind: 'failing', status } };
}

/** A status that another try may answer better: 429 (the token's window, or WhatsApp's throttling) and 5xx. */
function transientStatus(answer: Extract<RawAnswer, { kind: 'http' }>): Transient | undefined {
	const { status, headers } = answer;
	if (status >= 500) return { kind: 'failing', status };
	if (status !== 429) return undefined;
	const retryAfter = headers['retry-after'];
	const window = readRateLimitHeaders(headers);
	// Requests remain, so the limit that struck is WhatsApp's, not the token's window.
	if (retryAfter === undefined && window && window.remaining > 0) return { kind: 'throttled' };
	return { kind: 'rateLimited', retryAfter, window };
}

/** Words of the status table as the start of an item's message. */
function capitalised(words: string): string {
	return `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

function sentence(words: string): string {
	return `${capitalised(words)}.`;
}

/**
 * Why the API refused, from its status and message: the one reading of a refusal, for an item and
 * for the credential's Test button.
 */
export function reasonForApiError(status: number, message: string): ErrorReason {
	switch (status) {
		case 400:
			return reasonFromMessage(message) ?? 'invalid_code';
		case 401:
			return 'unauthorized';
		case 403:
			if (/not allowed to/i.test(message)) return 'not_allowed';
			// The token is valid but does not own the instance: true of every item, like a 401.
			return /token|instance/i.test(message) ? 'unauthorized' : 'not_allowed';
		case 404:
			return /instance/i.test(message) ? 'instance_unavailable' : 'group_not_found';
		case 429:
			return 'rate_limited';
		case 503:
			return 'instance_unavailable';
		default:
			// A 5xx is the server failing, whatever words its message happens to use.
			return status >= 500 ? 'server_error' : (reasonFromMessage(message) ?? 'server_error');
	}
}

/** Reasons the documented messages name, whatever status carried them. */
function reasonFromMessage(message: string): ErrorReason | undefined {
	if (/revoked|expired/i.test(message)) return 'revoked_or_expired';
	if (
		/instance/i.test(message) &&
		/disconnect|not connected|unavailable|offline|not ready/i.test(message)
	) {
		return 'instance_unavailable';
	}
	if (/invalid invite|invalid.*code/i.test(message)) return 'invalid_code';
	return undefined;
}

/** An answer without the API's JSON envelope came from something in front of it, or a fault. */
function failWithoutEnvelope(
	answer: Extract<RawAnswer, { kind: 'http' }>,
	envelope: Envelope | undefined,
	bodyLimitBytes: number,
): { ok: false; failure: Failure } {
	const { status } = answer;
	const body = describeBody(answer, envelope, bodyLimitBytes);
	// Without RyzeAPI's JSON only these statuses say more than that something answered them.
	const words = [401, 404, 429].includes(status)
		? statusWords(status, { origin: ITEM_ORIGIN, instance: '', body })
		: answeredWords(status, body);
	if (status === 401) return fail('unauthorized', sentence(words.happened), status);
	if (status === 429) return fail('rate_limited', sentence(words.happened), status);
	if (status === 404) {
		return fail(
			'server_error',
			`${sentence(words.happened)} Check the ${words.check} in the RyzeAPI credential.`,
			status,
		);
	}
	return fail(
		'server_error',
		`${capitalised(words.happened)}; a proxy or load balancer in front of it may be failing.`,
		status,
	);
}

/** A JSON object body, as the API sends it: its fields, plus the error message wherever it was put. */
export type Envelope = Record<string, unknown> & {
	/** error.message of the error envelope, when it is a non-empty string. */
	errorMessage?: string;
};

/**
 * An answer's envelope; none when nothing answered. An oversized body is not read: the status
 * alone decides, as for any body without the envelope.
 */
export function envelopeOf(answer: RawAnswer): Envelope | undefined {
	return answer.kind === 'http' && !answer.bodyTooLarge ? readEnvelope(answer.body) : undefined;
}

function readEnvelope(body: string): Envelope | undefined {
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch {
		return undefined;
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
	const record = parsed as Record<string, unknown>;
	const error = record.error;
	let errorMessage: string | undefined;
	if (
		typeof error === 'object' &&
		error !== null &&
		typeof (error as Record<string, unknown>).message === 'string'
	) {
		errorMessage = ((error as Record<string, unknown>).message as string).trim() || undefined;
	} else if (typeof error === 'string' && error.trim() !== '') {
		errorMessage = error.trim();
	} else if (
		record.success === false &&
		typeof record.message === 'string' &&
		record.message.trim() !== ''
	) {
		errorMessage = record.message.trim();
	}
	// The parsed object is ours alone: adding the field beats copying it (a spread of a parsed
	// object cost several microseconds per answer, most of classifyAnswer's time).
	record.errorMessage = errorMessage;
	return record as Envelope;
}

function describeBody(
	answer: Extract<RawAnswer, { kind: 'http' }>,
	envelope: Envelope | undefined,
	bodyLimitBytes: number,
): string {
	if (answer.bodyTooLarge) return `a body larger than ${bodyLimitBytes} bytes, which was not read`;
	if (answer.body.trim() === '') return 'an empty body';
	// Only a short, printable media type: the header is the server's text, not ours.
	const type = answer.headers['content-type']
		?.split(';')[0]
		.trim()
		.replace(/[^\x21-\x7E]/g, '')
		.slice(0, 60);
	if (envelope === undefined) {
		return type ? `a body that is not JSON (${type})` : 'a body that is not JSON';
	}
	return 'a JSON body of another shape';
}

/** Only the origin of a redirect target: its path and query may carry anything. */
function safeLocation(location: string): string {
	try {
		const { origin } = new URL(location);
		// data:, javascript: and other opaque URLs have the origin "null".
		return origin === 'null' ? 'another address' : origin;
	} catch {
		return 'another address';
	}
}

/**
 * What to tell the user when nothing answered, for an item and for the credential's Test button
 * (which names the origin): what failed, and for a proxy or a certificate, what to change. Pure.
 */
export function describeNoAnswer(answer: NoAnswer, origin?: string): string {
	const at = origin ? ` at ${origin}` : '';
	const via = answer.proxy ? ` through the proxy ${answer.proxy}` : '';
	switch (answer.tls) {
		case 'untrusted':
			return (
				`The TLS certificate of RyzeAPI${at} is not trusted (${answer.detail}): it is not signed by a ` +
				'CA this n8n knows. If the server uses a private CA, start n8n with NODE_EXTRA_CA_CERTS set to ' +
				"the path of that CA's certificate (a PEM file), then restart n8n. Certificate checks are never turned off."
			);
		case 'hostname':
			return (
				`The TLS certificate of RyzeAPI${at} was issued for another host name (${answer.detail}): ` +
				'use the host name the certificate names in the Base URL.'
			);
		case 'expired':
			return (
				`The TLS certificate of RyzeAPI${at} is expired or not yet valid (${answer.detail}): ` +
				"renew it on the server, or check this machine's clock."
			);
	}
	if (answer.failure === 'timeout') {
		return `RyzeAPI${at} did not answer in time${via} (${answer.detail}).`;
	}
	if (answer.proxy) {
		return (
			`Could not reach RyzeAPI${at}${via} (${answer.detail}). Check that the proxy runs and ` +
			'that the variable is right, or list the host in NO_PROXY to bypass the proxy.'
		);
	}
	return `Could not reach RyzeAPI${at} (${answer.detail}).${origin ? ' Check the Base URL.' : ''}`;
}
