/** Why an item went to the Error output. Users branch on these: never rename one. */
export const ERROR_REASONS = [
	'invalid_identifier',
	'invalid_code',
	'revoked_or_expired',
	'not_allowed',
	'group_not_found',
	'unauthorized',
	'rate_limited',
	'instance_unavailable',
	'server_error',
	'network_error',
	'timeout',
] as const;

export type ErrorReason = (typeof ERROR_REASONS)[number];

export interface JoinFailure {
	reason: ErrorReason;
	message: string;
	/** The HTTP status when the API (or something in front of it) answered; null when nothing did. */
	httpStatus: number | null;
}

export interface JoinSuccess {
	status: 'joined' | 'pending_approval';
	groupJid: string;
	requiresApproval: boolean;
	message: string;
}

export type JoinOutcome = { ok: true; success: JoinSuccess } | { ok: false; failure: JoinFailure };

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
