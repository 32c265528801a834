import { Agent } from 'undici';

import type { Connection } from '../helpers/connection';
import { groupRoutePath } from '../helpers/connection';
import type { ApiRequest, RawAnswer } from '../helpers/interfaces';
import { RequestCancelledError } from './cancel';

export { RequestCancelledError };

/** Join answers are a few hundred bytes; anything far larger is a fault, not an answer to read. */
export const BODY_LIMIT_BYTES = 64 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;

/** One keep-alive connection pool per origin, shared by every execution in this process. */
const dispatchers = new Map<string, Agent>();

function dispatcherFor(origin: string): Agent {
	let agent = dispatchers.get(origin);
	if (!agent) {
		agent = new Agent({
			connect: { timeout: CONNECT_TIMEOUT_MS },
			keepAliveTimeout: 10_000,
			keepAliveMaxTimeout: 60_000,
			connections: 32,
		});
		dispatchers.set(origin, agent);
	}
	return agent;
}

/** Closes every pool (tests, and a clean shutdown); later requests open new ones. */
export async function closeDispatchers(): Promise<void> {
	const agents = [...dispatchers.values()];
	dispatchers.clear();
	await Promise.all(agents.map(async (agent) => await agent.close()));
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
	const deadline = AbortSignal.timeout(timeoutMs);
	const signal = cancelSignal ? AbortSignal.any([deadline, cancelSignal]) : deadline;
	const headers: Record<string, string> = { accept: 'application/json', token: connection.token };
	if (body !== undefined) headers['content-type'] = 'application/json';

	try {
		// origin and path are passed apart: a URL string would be normalised, and an encoded ".."
		// instance name would then climb out of its path segment.
		const response = await dispatcherFor(connection.origin).request({
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
		return { kind: 'noAnswer', ...describeFailure(error, deadline.aborted, timeoutMs) };
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

function describeFailure(
	error: unknown,
	deadlinePassed: boolean,
	timeoutMs: number,
): { failure: 'timeout' | 'network'; detail: string } {
	const codes = errorCodes(error);
	if (deadlinePassed || codes.some((code) => TIMEOUT_CODES.has(code))) {
		return { failure: 'timeout', detail: `no complete answer within ${timeoutMs} ms` };
	}
	const innermost = codes[codes.length - 1];
	const message = error instanceof Error ? error.message : String(error);
	return {
		failure: 'network',
		detail: innermost ?? (message || 'no details from the network stack'),
	};
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
