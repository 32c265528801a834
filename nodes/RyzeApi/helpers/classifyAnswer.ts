import type { ErrorReason, JoinFailure, JoinOutcome, NoAnswer, RawAnswer } from './interfaces';

/**
 * Maps one answer of POST /api/group/join to joined / pending approval / a failure with a reason.
 * The API has no error codes: errors are told apart by HTTP status plus message text
 * (see shared/api/ryzeapi-contract.md). Pure.
 */
export function classifyAnswer(answer: RawAnswer, bodyLimitBytes: number): JoinOutcome {
	if (answer.kind === 'noAnswer') {
		return fail(
			answer.failure === 'timeout' ? 'timeout' : 'network_error',
			describeNoAnswer(answer),
			null,
		);
	}

	const { status } = answer;
	// An oversized body is not read: the status alone decides, as for any body without the envelope.
	const envelope = answer.bodyTooLarge ? undefined : readEnvelope(answer.body);

	if (status >= 200 && status < 300) {
		if (
			envelope?.success === true &&
			typeof envelope.groupJid === 'string' &&
			envelope.groupJid !== ''
		) {
			const requiresApproval = envelope.requiresApproval === true;
			return {
				ok: true,
				success: {
					status: requiresApproval ? 'pending_approval' : 'joined',
					groupJid: envelope.groupJid,
					requiresApproval,
					message: typeof envelope.message === 'string' ? envelope.message : '',
				},
			};
		}
		if (envelope?.success === false && envelope.errorMessage) {
			return fail(
				reasonFromMessage(envelope.errorMessage) ?? 'server_error',
				envelope.errorMessage,
				status,
			);
		}
		return fail(
			'server_error',
			`RyzeAPI answered HTTP ${status} without the expected result (success and groupJid): ${describeBody(answer, bodyLimitBytes)}.`,
			status,
		);
	}

	if (status >= 300 && status < 400) {
		const location = answer.headers.location;
		return fail(
			'server_error',
			`RyzeAPI answered with a redirect (HTTP ${status}${location ? ` to ${safeLocation(location)}` : ''}). ` +
				'Redirects are not followed, so the token is never sent elsewhere: check the base URL in the credential.',
			status,
		);
	}

	const apiMessage = envelope?.errorMessage;
	if (apiMessage === undefined) return failWithoutEnvelope(answer, bodyLimitBytes);
	return fail(reasonForApiError(status, apiMessage), apiMessage, status);
}

function reasonForApiError(status: number, message: string): ErrorReason {
	switch (status) {
		case 400:
			return reasonFromMessage(message) ?? 'invalid_code';
		case 401:
			return 'unauthorized';
		case 403:
			if (/not allowed to join/i.test(message)) return 'not_allowed';
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
	bodyLimitBytes: number,
): JoinOutcome {
	const { status } = answer;
	const what = describeBody(answer, bodyLimitBytes);
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

export interface Envelope {
	success?: unknown;
	message?: unknown;
	groupJid?: unknown;
	requiresApproval?: unknown;
	/** error.message of the error envelope, when it is a non-empty string. */
	errorMessage?: string;
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
	return { ...record, errorMessage };
}

function describeBody(
	answer: Extract<RawAnswer, { kind: 'http' }>,
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
	if (readEnvelope(answer.body) === undefined) {
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

function fail(
	reason: ErrorReason,
	message: string,
	httpStatus: number | null,
): { ok: false; failure: JoinFailure } {
	return { ok: false, failure: { reason, message, httpStatus } };
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
