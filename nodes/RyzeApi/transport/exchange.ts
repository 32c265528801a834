import type { IncomingHttpHeaders } from 'node:http';

import type { Dispatcher } from 'undici';

import { RequestCancelledError } from './cancel';

export type Settled =
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
export class CappedExchange implements Dispatcher.DispatchHandler {
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

export function exchangesUnder(signal: AbortSignal): Set<CappedExchange> {
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
