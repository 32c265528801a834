/**
 * Checks the credential (base URL, instance, token) and builds request targets from it. Pure.
 * The base URL and the instance name are user input: they are validated and encoded here so
 * that a request never goes to another host or another path than the user meant.
 */
import { createHash } from 'node:crypto';

import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_BASE_URL } from '../../../credentials/RyzeApi.credentials';
import type { ApiRequest, Checked } from './interfaces';
import { refuse } from './interfaces';

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

export type Endpoint = Omit<Connection, 'instance'>;

/**
 * The Instance Name option every node offers under Options: another instance of the token's
 * account than the credential's (`resolveConnection` takes it as its override).
 */
export function instanceNameProperty(verb: 'use' | 'read' | 'poll'): INodeProperties {
	return {
		displayName: 'Instance Name',
		name: 'instanceName',
		type: 'string',
		default: '',
		description: `Instance to ${verb} instead of the credential's. Useful with a TokenAccount, which can act on every instance of the account.`,
	};
}

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

function parseBaseUrl(raw: unknown): Checked<{ origin: string; basePath: string }> {
	const text = typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : DEFAULT_BASE_URL;
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return refuse(
			`The base URL in the RyzeAPI credential is not a URL: write it like ${DEFAULT_BASE_URL}.`,
		);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return refuse(
			`The base URL in the RyzeAPI credential must start with https:// (or http://), like ${DEFAULT_BASE_URL}.`,
		);
	}
	if (url.username !== '' || url.password !== '') {
		return refuse(
			'The base URL in the RyzeAPI credential must not contain a user name or password; put the token in the Token field.',
		);
	}
	if (url.search !== '' || url.hash !== '' || /[?#]/.test(text)) {
		return refuse(
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
		return refuse('The RyzeAPI credential has no token: paste a TokenAccount or a TokenInstance.');
	// A header value must be visible ASCII; say so without ever echoing the token.
	if (!/^[\x21-\x7E]+$/.test(token)) {
		return refuse(
			'The token in the RyzeAPI credential contains spaces, line breaks or non-ASCII characters: paste it again.',
		);
	}
	return { ok: true, value: token };
}

function checkInstance(raw: unknown, fromOverride: boolean): Checked<string> {
	const where = fromOverride ? 'the Instance Name option' : 'the RyzeAPI credential';
	if (typeof raw !== 'string' && typeof raw !== 'number') {
		return refuse(
			"No instance name: set Instance Name in the RyzeAPI credential or in the node's options.",
		);
	}
	const instance = String(raw).trim();
	if (instance === '')
		return refuse(
			"No instance name: set Instance Name in the RyzeAPI credential or in the node's options.",
		);
	if (instance.length > 256)
		return refuse(`The instance name in ${where} is longer than 256 characters.`);
	if (/\p{Cc}/u.test(instance))
		return refuse(`The instance name in ${where} contains control characters.`);
	// A lone UTF-16 surrogate cannot be URL-encoded (encodeURIComponent throws): refuse it here.
	if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(instance)) {
		return refuse(
			`The instance name in ${where} contains an invalid character (a lone UTF-16 surrogate).`,
		);
	}
	return { ok: true, value: instance };
}

/**
 * Encodes a path segment so it stays one segment: "/", "?", "#" and spaces are percent-encoded,
 * and a segment of dots is encoded too, because "." and ".." would otherwise move up the path.
 */
function encodePathSegment(segment: string): string {
	const encoded = encodeURIComponent(segment);
	return /^\.+$/.test(segment) ? encoded.replace(/\./g, '%2E') : encoded;
}

/**
 * The path and query of a route for this connection's instance: `/api/{area}/{route}/{instance}?…`,
 * the area `group` unless the request names another (the trigger's `events` routes).
 */
export function apiRoutePath(
	connection: Pick<Connection, 'basePath' | 'instance'>,
	request: Pick<ApiRequest, 'area' | 'route' | 'query'>,
): string {
	const query = new URLSearchParams(request.query).toString();
	const area = request.area ?? 'group';
	const path = `${connection.basePath}/api/${area}/${encodePathSegment(request.route)}/${encodePathSegment(connection.instance)}`;
	return query === '' ? path : `${path}?${query}`;
}

/**
 * The one identity of a token at a server, for the maps that share state per token (the rate
 * budget, deduplication): the token enters only through a hash, so no map of shared state is
 * keyed by it (the per-object memo below holds it no longer than the connection object does).
 */
export function endpointKey(connection: Pick<Connection, 'origin' | 'basePath' | 'token'>): string {
	return remembered(endpointKeys, connection, () =>
		createHash('sha256')
			.update(JSON.stringify([connection.origin, connection.basePath, connection.token]))
			.digest('hex'),
	);
}

/** One instance behind one token at one server: the unit the health rules and deduplication count in. */
export function instanceKey(connection: Connection): string {
	return remembered(
		instanceKeys,
		connection,
		() => `${endpointKey(connection)}/${JSON.stringify(connection.instance)}`,
	);
}

/**
 * The keys are asked for several times per request, with the same connection object: a hash
 * each time was a good part of the node's own time per item. Each object remembers its key, and
 * the fields it was made from, so that a changed object gets a new one. Weakly held: the
 * remembered token lives no longer than the connection object holding it.
 */
interface RememberedKey {
	key: string;
	origin: string;
	basePath: string;
	token: string;
	instance: string | undefined;
}

const endpointKeys = new WeakMap<object, RememberedKey>();
const instanceKeys = new WeakMap<object, RememberedKey>();

function remembered(
	keys: WeakMap<object, RememberedKey>,
	connection: Pick<Connection, 'origin' | 'basePath' | 'token'> & { instance?: string },
	make: () => string,
): string {
	const { origin, basePath, token, instance } = connection;
	const known = keys.get(connection);
	if (
		known?.origin === origin &&
		known.basePath === basePath &&
		known.token === token &&
		known.instance === instance
	) {
		return known.key;
	}
	const key = make();
	keys.set(connection, { key, origin, basePath, token, instance });
	return key;
}

function isBlank(value: unknown): boolean {
	return (
		value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
	);
}
