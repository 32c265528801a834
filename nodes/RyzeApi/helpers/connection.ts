/**
 * Checks the credential (base URL, instance, token) and builds request targets from it. Pure.
 * The base URL and the instance name are user input: they are validated and encoded here so
 * that a request never goes to another host or another path than the user meant.
 */

export interface Connection {
	/** scheme://host[:port], where every request goes. */
	origin: string;
	/** Path prefix of a proxied deployment ("" for the provider's own host), no trailing slash. */
	basePath: string;
	instance: string;
	token: string;
}

export interface CredentialFields {
	baseUrl?: unknown;
	instanceName?: unknown;
	token?: unknown;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export const DEFAULT_BASE_URL = 'https://ryzeapi.cloud';

export type Endpoint = Omit<Connection, 'instance'>;

export function resolveConnection(
	credentials: CredentialFields,
	instanceOverride?: unknown,
): Checked<Connection> {
	const endpoint = resolveEndpoint(credentials);
	return endpoint.ok ? withInstance(endpoint.value, credentials, instanceOverride) : endpoint;
}

/** The parts of the credential every item shares: check them once per execution. */
export function resolveEndpoint(credentials: CredentialFields): Checked<Endpoint> {
	const base = parseBaseUrl(credentials.baseUrl);
	if (!base.ok) return base;
	const token = checkToken(credentials.token);
	if (!token.ok) return token;
	return { ok: true, value: { ...base.value, token: token.value } };
}

/** The instance: the override when it is not blank (it may differ per item), else the credential's. */
export function withInstance(
	endpoint: Endpoint,
	credentials: CredentialFields,
	instanceOverride?: unknown,
): Checked<Connection> {
	const instance = checkInstance(
		isBlank(instanceOverride) ? credentials.instanceName : instanceOverride,
		!isBlank(instanceOverride),
	);
	return instance.ok ? { ok: true, value: { ...endpoint, instance: instance.value } } : instance;
}

export function parseBaseUrl(raw: unknown): Checked<{ origin: string; basePath: string }> {
	const text = typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : DEFAULT_BASE_URL;
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return invalid(
			`The base URL in the RyzeAPI credential is not a URL: write it like ${DEFAULT_BASE_URL}.`,
		);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return invalid(
			`The base URL in the RyzeAPI credential must start with https:// (or http://), like ${DEFAULT_BASE_URL}.`,
		);
	}
	if (url.username !== '' || url.password !== '') {
		return invalid(
			'The base URL in the RyzeAPI credential must not contain a user name or password; put the token in the Token field.',
		);
	}
	if (url.search !== '' || url.hash !== '' || /[?#]/.test(text)) {
		return invalid(
			'The base URL in the RyzeAPI credential must not contain a query (?) or fragment (#).',
		);
	}
	// Routes live under /api/...: a base URL pasted with /api at the end means the same server.
	const basePath = url.pathname.replace(/\/+$/, '').replace(/\/api$/i, '');
	return { ok: true, value: { origin: url.origin, basePath } };
}

function checkToken(raw: unknown): Checked<string> {
	const token = typeof raw === 'string' ? raw.trim() : '';
	if (token === '')
		return invalid('The RyzeAPI credential has no token: paste a TokenAccount or a TokenInstance.');
	// A header value must be visible ASCII; say so without ever echoing the token.
	if (!/^[\x21-\x7E]+$/.test(token)) {
		return invalid(
			'The token in the RyzeAPI credential contains spaces, line breaks or non-ASCII characters: paste it again.',
		);
	}
	return { ok: true, value: token };
}

function checkInstance(raw: unknown, fromOverride: boolean): Checked<string> {
	const where = fromOverride ? 'the Instance Name option' : 'the RyzeAPI credential';
	if (typeof raw !== 'string' && typeof raw !== 'number') {
		return invalid(
			"No instance name: set Instance Name in the RyzeAPI credential or in the node's options.",
		);
	}
	const instance = String(raw).trim();
	if (instance === '')
		return invalid(
			"No instance name: set Instance Name in the RyzeAPI credential or in the node's options.",
		);
	if (instance.length > 256)
		return invalid(`The instance name in ${where} is longer than 256 characters.`);
	if (/\p{Cc}/u.test(instance))
		return invalid(`The instance name in ${where} contains control characters.`);
	// A lone UTF-16 surrogate cannot be URL-encoded (encodeURIComponent throws): refuse it here.
	if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(instance)) {
		return invalid(
			`The instance name in ${where} contains an invalid character (a lone UTF-16 surrogate).`,
		);
	}
	return { ok: true, value: instance };
}

/**
 * Encodes a path segment so it stays one segment: "/", "?", "#" and spaces are percent-encoded,
 * and a segment of dots is encoded too, because "." and ".." would otherwise move up the path.
 */
export function encodePathSegment(segment: string): string {
	const encoded = encodeURIComponent(segment);
	return /^\.+$/.test(segment) ? encoded.replace(/\./g, '%2E') : encoded;
}

export function joinGroupPath(connection: Pick<Connection, 'basePath' | 'instance'>): string {
	return `${connection.basePath}/api/group/join/${encodePathSegment(connection.instance)}`;
}

export function groupListPath(connection: Pick<Connection, 'basePath' | 'instance'>): string {
	return `${connection.basePath}/api/group/list/${encodePathSegment(connection.instance)}`;
}

function isBlank(value: unknown): boolean {
	return (
		value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
	);
}

function invalid(message: string): { ok: false; message: string } {
	return { ok: false, message };
}
