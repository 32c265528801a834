import type { ErrorReason, Failure, NoAnswer, Outcome, RawAnswer } from './interfaces';
import { failure as fail } from './interfaces';

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
 * What an answer means: the outcome, and whether the same request may get a better answer later
 * (no answer, 429, 5xx, a 2xx whose body is not the API's envelope). Whether to try again, and
 * when, is retryPolicy's decision.
 */
export interface Classified<T> {
	outcome: Outcome<T>;
	transient: boolean;
}

/**
 * Maps one answer of a group route to the operation's result or a failure with a reason. The API
 * has no error codes: errors are told apart by HTTP status plus message text
 * (see shared/api/ryzeapi-contract.md). The body is parsed once, here. Pure.
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
		return { outcome, transient: answer.tls === undefined };
	}

	const { status } = answer;
	const envelope = envelopeOf(answer);
	const transient = status === 429 || status >= 500;

	if (status >= 200 && status < 300) {
		// The one rule for a usable 2xx: the API's envelope, with a boolean `success`.
		const usable = envelope !== undefined && typeof envelope.success === 'boolean';
		const value = usable && envelope.success === true ? spec.readSuccess(envelope) : undefined;
		if (value !== undefined) return { outcome: { ok: true, value }, transient: false };
		if (usable && envelope.success === false && envelope.errorMessage) {
			const reason =
				spec.reasonFor?.(status, envelope.errorMessage) ??
				reasonFromMessage(envelope.errorMessage) ??
				'server_error';
			return { outcome: fail(reason, envelope.errorMessage, status), transient: false };
		}
		// Not what the operation expects: tried again only when the body was not the envelope at all.
		const outcome = fail(
			'server_error',
			`RyzeAPI answered HTTP ${status} without the expected result (${spec.expected}): ${describeBody(answer, envelope, bodyLimitBytes)}.`,
			status,
		);
		return { outcome, transient: !usable };
	}

	if (status >= 300 && status < 400) {
		const location = answer.headers.location;
		const outcome = fail(
			'server_error',
			`RyzeAPI answered with a redirect (HTTP ${status}${location ? ` to ${safeLocation(location)}` : ''}). ` +
				'Redirects are not followed, so the token is never sent elsewhere: check the base URL in the credential.',
			status,
		);
		return { outcome, transient: false };
	}

	const apiMessage = envelope?.errorMessage;
	if (apiMessage === undefined) {
		return { outcome: failWithoutEnvelope(answer, envelope, bodyLimitBytes), transient };
	}
	const reason = spec.reasonFor?.(status, apiMessage) ?? reasonForApiError(status, apiMessage);
	return { outcome: fail(reason, apiMessage, status), transient };
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
	const what = describeBody(answer, envelope, bodyLimitBytes);
	if (status === 401)
		return fail('unauthorized', `RyzeAPI refused the token (HTTP 401; ${what}).`, status);
	if (status === 429)
		return fail('rate_limited', `RyzeAPI's rate limit was exceeded (HTTP 429; ${what}).`, status);
	if (status === 404) {
		return fail(
			'server_error',
			`The server at the credential's base URL answered HTTP 404 with ${what}, not RyzeAPI's JSON: check the base URL.`,
			status,
		);
	}
	return fail(
		'server_error',
		`RyzeAPI answered HTTP ${status} with ${what}, not its JSON error; a proxy or load balancer in front of it may be failing.`,
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

export function readEnvelope(body: string): Envelope | undefined {
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
