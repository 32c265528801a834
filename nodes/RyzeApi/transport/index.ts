import { Agent, ProxyAgent } from 'undici';
import type { Dispatcher } from 'undici';

import type { Connection } from '../helpers/connection';
import { groupRoutePath } from '../helpers/connection';
import type { ApiRequest, NoAnswer, RawAnswer } from '../helpers/interfaces';
import type { ProxyRoute } from '../helpers/proxyRoute';
import { proxyRoute } from '../helpers/proxyRoute';
import { RequestCancelledError } from './cancel';

export { RequestCancelledError };

/** Join answers are a few hundred bytes; anything far larger is a fault, not an answer to read. */
export const BODY_LIMIT_BYTES = 64 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;

const POOL_OPTIONS = {
	keepAliveTimeout: 10_000,
	keepAliveMaxTimeout: 60_000,
	connections: 32,
};

/**
 * One keep-alive connection pool per origin and proxy, shared by every execution in this process.
 * The proxy is part of the key because the environment may change (it does in tests).
 */
const dispatchers = new Map<string, Dispatcher>();

function dispatcherFor(
	origin: string,
	route: ProxyRoute & { kind: 'direct' | 'proxy' },
): Dispatcher {
	const key = route.kind === 'proxy' ? `${origin} via ${route.url}` : origin;
	let dispatcher = dispatchers.get(key);
	if (!dispatcher) {
		dispatcher =
			route.kind === 'proxy'
				? new ProxyAgent({
						...POOL_OPTIONS,
						uri: route.url,
						// https:// goes through a CONNECT tunnel, so the proxy never sees the token; http://
						// is forwarded as the proxy's own request, as n8n's HTTP helpers do (proxies often
						// allow CONNECT to port 443 only).
						proxyTunnel: false,
						proxyTls: { timeout: CONNECT_TIMEOUT_MS },
						requestTls: { timeout: CONNECT_TIMEOUT_MS },
					})
				: new Agent({ ...POOL_OPTIONS, connect: { timeout: CONNECT_TIMEOUT_MS } });
		dispatchers.set(key, dispatcher);
	}
	return dispatcher;
}

/** Closes every pool (tests, and a clean shutdown); later requests open new ones. */
export async function closeDispatchers(): Promise<void> {
	const all = [...dispatchers.values()];
	dispatchers.clear();
	await Promise.all(all.map(async (dispatcher) => await dispatcher.close()));
}

export interface RequestLimits {
	/** Whole-exchange deadline: connect, headers and body. */
	timeoutMs: number;
	/** The execution's cancel signal: when it fires the request is abandoned with RequestCancelledError. */
	cancelSignal?: AbortSignal;
}

/** One call of a group route; the path and query are built and encoded by groupRoutePath. */
export async function sendRequest(
	connection: Connection,
	request: ApiRequest,
	limits: RequestLimits,
): Promise<RawAnswer> {
	const body = request.body === undefined ? undefined : JSON.stringify(request.body);
	return await exchange(
		connection,
		request.method,
		groupRoutePath(connection, request),
		body,
		limits,
	);
}

/**
 * One HTTP exchange that never throws for what the network or the server does: every outcome is
 * a RawAnswer. It only rejects when the execution is cancelled. Redirects are not followed (undici
 * follows none unless told to), so the token header never travels to another host.
 */
async function exchange(
	connection: Connection,
	method: ApiRequest['method'],
	path: string,
	body: string | undefined,
	{ timeoutMs, cancelSignal }: RequestLimits,
): Promise<RawAnswer> {
	if (cancelSignal?.aborted) throw new RequestCancelledError();
	// Read per request, as n8n's own proxy agents do: the variables are those of n8n's process.
	const route = proxyRoute(connection.origin, process.env);
	if (route.kind === 'invalid') {
		return {
			kind: 'noAnswer',
			failure: 'network',
			detail: route.problem,
			proxy: `set in ${route.variable}`,
		};
	}
	const deadline = AbortSignal.timeout(timeoutMs);
	const signal = cancelSignal ? AbortSignal.any([deadline, cancelSignal]) : deadline;
	const headers: Record<string, string> = { accept: 'application/json', token: connection.token };
	if (body !== undefined) headers['content-type'] = 'application/json';

	try {
		// origin and path are passed apart: a URL string would be normalised, and an encoded ".."
		// instance name would then climb out of its path segment.
		const response = await dispatcherFor(connection.origin, route).request({
			origin: connection.origin,
			path,
			method,
			headers,
			body,
			signal,
			headersTimeout: timeoutMs,
			bodyTimeout: timeoutMs,
		});
		const { text, tooLarge } = await readCapped(response.body, BODY_LIMIT_BYTES);
		return {
			kind: 'http',
			status: response.statusCode,
			headers: flattenHeaders(response.headers),
			body: text,
			bodyTooLarge: tooLarge,
		};
	} catch (error) {
		// n8n marks the execution canceled, not failed, only on this error: it must not become a NodeApiError.
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
		if (cancelSignal?.aborted) throw new RequestCancelledError();
		return describeFailure(error, deadline.aborted, timeoutMs, route);
	}
}

async function readCapped(
	body: AsyncIterable<Buffer> & { destroy(error?: Error): unknown },
	limit: number,
): Promise<{ text: string; tooLarge: boolean }> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		size += chunk.length;
		if (size > limit) {
			body.destroy();
			return { text: '', tooLarge: true };
		}
		chunks.push(chunk);
	}
	return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: false };
}

const TIMEOUT_CODES = new Set([
	'UND_ERR_HEADERS_TIMEOUT',
	'UND_ERR_BODY_TIMEOUT',
	'UND_ERR_CONNECT_TIMEOUT',
]);

/** OpenSSL's verdicts on a certificate chain that does not lead to a trusted CA. */
const UNTRUSTED_CODES = new Set([
	'SELF_SIGNED_CERT_IN_CHAIN',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_UNTRUSTED',
	'CERT_SIGNATURE_FAILURE',
	'CERT_REVOKED',
]);
const EXPIRED_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * What went wrong when nothing answered, from the error undici raised: a timeout, a certificate
 * (untrusted, for another host, expired), a proxy that refused, or the network's own error code.
 * Names the proxy by its scheme, host and port only, never its user or password. Pure.
 */
export function describeFailure(
	error: unknown,
	deadlinePassed: boolean,
	timeoutMs: number,
	route: ProxyRoute = { kind: 'direct' },
): NoAnswer {
	const proxy = route.kind === 'proxy' ? `${route.shown} (from ${route.variable})` : undefined;
	const answer = (
		failure: NoAnswer['failure'],
		detail: string,
		tls?: NoAnswer['tls'],
	): NoAnswer => ({
		kind: 'noAnswer',
		failure,
		detail,
		...(proxy ? { proxy } : {}),
		...(tls ? { tls } : {}),
	});
	const codes = errorCodes(error);
	if (deadlinePassed || codes.some((code) => TIMEOUT_CODES.has(code))) {
		return answer('timeout', `no complete answer within ${timeoutMs} ms`);
	}
	const certificate = codes.find(
		(code) =>
			UNTRUSTED_CODES.has(code) ||
			EXPIRED_CODES.has(code) ||
			code === 'ERR_TLS_CERT_ALTNAME_INVALID',
	);
	if (certificate) {
		const tls = UNTRUSTED_CODES.has(certificate)
			? 'untrusted'
			: EXPIRED_CODES.has(certificate)
				? 'expired'
				: 'hostname';
		return answer('network', certificate, tls);
	}
	const messages = errorMessages(error);
	// undici says so in words only: a refused CONNECT, or a 407 to a forwarded request.
	const refused = messages
		.map((message) =>
			/Proxy response \((\d{3})\) !== 200|Proxy Authentication Required \((407)\)/.exec(message),
		)
		.find((match) => match !== null);
	if (refused) {
		const status = refused[1] ?? refused[2];
		return answer(
			'network',
			status === '407'
				? 'the proxy asks for a user and password (HTTP 407): put them in the proxy URL, http://user:password@host:port'
				: `the proxy refused to connect to RyzeAPI (HTTP ${status})`,
		);
	}
	const innermost = codes[codes.length - 1];
	return answer(
		'network',
		innermost ?? withoutUserInfo(messages[0] || 'no details from the network stack'),
	);
}

/** A URL's user:password@ could appear in a library's message: never repeat it. */
function withoutUserInfo(text: string): string {
	return text.replace(/\/\/[^/@\s]*@/g, '//');
}

function errorMessages(error: unknown): string[] {
	const messages: string[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
		const message = (current as { message?: unknown }).message;
		if (typeof message === 'string' && message !== '') messages.push(message);
		current = (current as { cause?: unknown }).cause;
	}
	if (messages.length === 0 && typeof error === 'string') messages.push(error);
	return messages;
}

/** Error codes from the outside in: undici wraps socket errors, whose cause has the errno code. */
function errorCodes(error: unknown): string[] {
	const codes: string[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string') codes.push(code);
		current = (current as { cause?: unknown }).cause;
	}
	return codes;
}

function flattenHeaders(
	headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
	const flat: Record<string, string | undefined> = {};
	for (const [name, value] of Object.entries(headers)) {
		flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	return flat;
}
