/** Why an item went to the Error output. Users branch on these: never rename one. */
export const ERROR_REASONS = [
	'invalid_identifier',
	'invalid_code',
	'revoked_or_expired',
	'not_allowed',
	'group_not_found',
	'not_a_member',
	'unauthorized',
	'rate_limited',
	'instance_unavailable',
	'server_error',
	'network_error',
	'timeout',
	// From version 1.2, Join Group's safety for the number (the join ledger).
	'instance_restricted',
	'join_budget_reached',
	'outside_active_hours',
	'join_in_progress',
	'ledger_unavailable',
] as const;

export type ErrorReason = (typeof ERROR_REASONS)[number];

/** What the Error output says about an item: a reason to branch on and a sentence to read. */
export interface Failure {
	reason: ErrorReason;
	message: string;
	/** The HTTP status when the API (or something in front of it) answered; null when nothing did. */
	httpStatus: number | null;
	/** A join that may be sent later: when, in ms since the epoch (deferred items carry it). */
	notBefore?: number;
	/** The answer said WhatsApp restricted or throttled the number (ledger/restriction.ts). */
	restriction?: 'restricted' | 'throttled';
}

/** The one result shape: a value, or a failure an item can carry to the Error output. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/** A check of user input: the value, or a sentence saying what to fix. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function refuse(message: string): { ok: false; message: string } {
	return { ok: false, message };
}

export function failure(
	reason: ErrorReason,
	message: string,
	httpStatus: number | null,
): { ok: false; failure: Failure } {
	return { ok: false, failure: { reason, message, httpStatus } };
}

/** What came back from one HTTP exchange, before any interpretation. */
export type RawAnswer =
	| {
			kind: 'http';
			status: number;
			headers: Record<string, string | undefined>;
			/** The body as text, cut at the size cap. */
			body: string;
			bodyTooLarge: boolean;
	  }
	| NoAnswer;

/** Nothing answered: the network, a proxy or a certificate failed, or the deadline passed. */
export interface NoAnswer {
	kind: 'noAnswer';
	failure: 'timeout' | 'network';
	detail: string;
	/** The proxy the request went through, as "http://host:port (from HTTPS_PROXY)", no credentials. */
	proxy?: string;
	/** Why TLS failed: a certificate from a CA this process does not trust, for another host, out of date. */
	tls?: 'untrusted' | 'hostname' | 'expired';
}

/** One call of a RyzeAPI route, as an operation or the trigger asks for it; the path is built from it. */
export interface ApiRequest {
	method: 'GET' | 'POST' | 'DELETE';
	/** The part of the API after /api/: `group` (the default) or the trigger's `events`. */
	area?: 'group' | 'events';
	/** The route under /api/{area}/, e.g. "join": the instance follows as the last path segment. */
	route: string;
	query?: Record<string, string>;
	body?: Record<string, unknown>;
	/** Largest answer body read (the transport's default suits every route but the group list). */
	maxBodyBytes?: number;
}
