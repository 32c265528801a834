/**
 * HTTP only: one call of a RyzeAPI route as one exchange over undici (the pools in pools.ts, the
 * exchange in exchange.ts, what a failure means in noAnswer.ts). Every outcome is a RawAnswer.
 */
import { apiRoutePath } from '../shared/connection';
import type { Connection } from '../shared/connection';
import { timerMs } from '../shared/clock';
import type { ApiRequest, RawAnswer } from '../shared/interfaces';
import { RequestCancelledError } from './cancel';
import { CappedExchange, exchangesUnder } from './exchange';
import { describeFailure, unusableProxy } from './noAnswer';
import { dispatcherFor, routeOf } from './pools';

export { RequestCancelledError };

/** Join answers are a few hundred bytes; anything far larger is a fault, not an answer to read. */
const BODY_LIMIT_BYTES = 64 * 1024;

/** The largest body read for this request. */
export function bodyLimitOf(request: ApiRequest): number {
	return request.maxBodyBytes ?? BODY_LIMIT_BYTES;
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

	const inFlight = new CappedExchange(bodyLimitOf(request));
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

function flattenHeaders(
	headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
	const flat: Record<string, string | undefined> = {};
	for (const [name, value] of Object.entries(headers)) {
		flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	return flat;
}
