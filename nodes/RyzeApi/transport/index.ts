import type { IncomingHttpHeaders } from 'node:http';

import { Agent, ProxyAgent } from 'undici';
import type { Dispatcher } from 'undici';

import type { Connection } from '../shared/connection';
import { apiRoutePath } from '../shared/connection';
import type { ApiRequest, NoAnswer, RawAnswer } from '../shared/interfaces';
import type { ProxyRoute } from '../shared/proxyRoute';
import { proxyRoute } from '../shared/proxyRoute';
import { timerMs } from '../shared/clock';
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

/**
 * The proxy variables are those of n8n's process, read once per connection object: one per
 * execution and instance (actions/readItems.ts), so a change counts from the next execution on,
 * as a changed credential does. Reading them per request was a measurable part of each one.
 */
const routes = new WeakMap<Connection, { origin: string; route: ProxyRoute }>();

function routeOf(connection: Connection): ProxyRoute {
	const known = routes.get(connection);
	if (known?.origin === connection.origin) return known.route;
	const route = proxyRoute(connection.origin, process.env);
	routes.set(connection, { origin: connection.origin, route });
	return route;
}

export interface RequestLimits {
	/** Whole-exchange deadline: connect, headers and body. */
	timeoutMs: number;
	/** The execution's cancel signal: when it fires the request is abandoned with RequestCancelledError. */
	cancelSignal?: AbortSignal;
}

/**
 * One call of a route (the path and query built and encoded by apiRoutePath), as one HTTP
 * exchange that never throws for what the network or the server does: every outcome is a
 * RawAnswer. It only rejects when the execution is cancelled. Redirects are not followed (undici
 * follows none unless told to), so the token header never travels to another host.
 */
export async function sendRequest(
	connection: Connection,
	request: ApiRequest,
	{ timeoutMs, cancelSignal }: RequestLimits,
): Promise<RawAnswer> {
	if (cancelSignal?.aborted) throw new RequestCancelledError();
	const route = routeOf(connection);
	if (route.kind === 'invalid') return unusableProxy(route);
	const headers: Record<string, string> = { accept: 'application/json', token: connection.token };
	const body = request.body === undefined ? undefined : JSON.stringify(request.body);
	if (body !== undefined) headers['content-type'] = 'application/json';

	const inFlight = new CappedExchange(BODY_LIMIT_BYTES);
	let deadlinePassed = false;
	// One timer per request, not AbortSignal.timeout and AbortSignal.any: those cost tens of
	// microseconds each, and leave a timer behind until the signal is collected.
	const deadline = setTimeout(() => {
		deadlinePassed = true;
		inFlight.abort(new Error(`no complete answer within ${timeoutMs} ms`));
	}, timerMs(timeoutMs));
	const underCancel = cancelSignal ? exchangesUnder(cancelSignal) : undefined;
	underCancel?.add(inFlight);
	try {
		// origin and path are passed apart: a URL string would be normalised, and an encoded ".."
		// instance name would then climb out of its path segment.
		dispatcherFor(connection.origin, route).dispatch(
			{
				origin: connection.origin,
				path: apiRoutePath(connection, request),
				method: request.method,
				headers,
				body,
				headersTimeout: timeoutMs,
				bodyTimeout: timeoutMs,
			},
			inFlight,
		);
	} catch (error) {
		inFlight.fail(error);
	}
	const settled = await inFlight.settled;
	clearTimeout(deadline);
	underCancel?.delete(inFlight);
	if (settled.kind === 'answer') {
		return {
			kind: 'http',
			status: settled.status,
			headers: flattenHeaders(settled.headers),
			body: settled.text,
			bodyTooLarge: settled.tooLarge,
		};
	}
	// n8n marks the execution canceled, not failed, only on this error: it must not become a NodeApiError.
	if (cancelSignal?.aborted) throw new RequestCancelledError();
	return describeFailure(settled.error, deadlinePassed, timeoutMs, route);
}

function unusableProxy(route: Extract<ProxyRoute, { kind: 'invalid' }>): NoAnswer {
	return {
		kind: 'noAnswer',
		failure: 'network',
		detail: route.problem,
		proxy: `set in ${route.variable}`,
	};
}

type Settled =
	| {
			kind: 'answer';
			status: number;
			headers: IncomingHttpHeaders;
			text: string;
			tooLarge: boolean;
	  }
	| { kind: 'error'; error: unknown };

/**
 * One request's answer, gathered from undici's handler callbacks: the status, the headers and the
 * body up to the cap (past it the request is aborted and the body reported as too large). undici's
 * request() would wrap each answer in a stream read back through an async iterator; this is the
 * same exchange without them. An abort before the request has a socket is done once it has one,
 * as request() does.
 */
class CappedExchange implements Dispatcher.DispatchHandler {
	readonly settled: Promise<Settled>;
	private settle!: (result: Settled) => void;
	private done = false;
	private controller: Dispatcher.DispatchController | undefined;
	private pendingAbort: Error | undefined;
	private status = 0;
	private headers: IncomingHttpHeaders = {};
	private readonly chunks: Buffer[] = [];
	private size = 0;

	constructor(private readonly limit: number) {
		this.settled = new Promise((resolve) => (this.settle = resolve));
	}

	abort(reason: Error): void {
		if (this.done) return;
		if (this.controller) this.controller.abort(reason);
		else this.pendingAbort ??= reason;
	}

	onRequestStart(controller: Dispatcher.DispatchController): void {
		this.controller = controller;
		if (this.pendingAbort) controller.abort(this.pendingAbort);
	}

	onResponseStart(
		_controller: Dispatcher.DispatchController,
		statusCode: number,
		headers: IncomingHttpHeaders,
	): void {
		// A 1xx is informational: the answer follows.
		if (statusCode < 200) return;
		this.status = statusCode;
		this.headers = headers;
	}

	onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
		if (this.done) return;
		this.size += chunk.length;
		if (this.size <= this.limit) {
			this.chunks.push(chunk);
			return;
		}
		this.finish({
			kind: 'answer',
			status: this.status,
			headers: this.headers,
			text: '',
			tooLarge: true,
		});
		controller.abort(new Error(`answer body larger than ${this.limit} bytes`));
	}

	onResponseEnd(): void {
		const text = Buffer.concat(this.chunks).toString('utf8');
		this.finish({
			kind: 'answer',
			status: this.status,
			headers: this.headers,
			text,
			tooLarge: false,
		});
	}

	onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
		this.fail(error);
	}

	fail(error: unknown): void {
		this.finish({ kind: 'error', error });
	}

	private finish(result: Settled): void {
		if (this.done) return;
		this.done = true;
		this.settle(result);
	}
}

/**
 * The exchanges in flight under each execution's cancel signal: one listener per signal, not one
 * added and removed per request (outside n8n, whose signal allows any number, an AbortSignal also
 * warns of a leak past ten listeners, and Requests in Flight goes to 50).
 */
const inFlightByCancelSignal = new WeakMap<AbortSignal, Set<CappedExchange>>();

function exchangesUnder(signal: AbortSignal): Set<CappedExchange> {
	let inFlight = inFlightByCancelSignal.get(signal);
	if (!inFlight) {
		const watched = new Set<CappedExchange>();
		signal.addEventListener(
			'abort',
			() => {
				for (const exchange of watched) exchange.abort(new RequestCancelledError());
				watched.clear();
			},
			{ once: true },
		);
		inFlightByCancelSignal.set(signal, watched);
		inFlight = watched;
	}
	return inFlight;
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
