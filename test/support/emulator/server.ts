import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import type { EmulatorControls } from './control';
import { answerControlRoute } from './control';
import { envelope } from './envelope';
import type { GroupBehaviour } from './groups';
import { behaviourOf, codeFromIdentifier, groupJidOf, groupNameOf, instanceJidOf } from './groups';
import { FixedWindow } from './fixedWindow';
import type { RestrictionOptions } from './restriction';
import { RestrictionModel } from './restriction';
import type { Answer, Delivery, DeliveryOptions } from './webhooks';
import { answerEventsRoute, DEFAULT_DELIVERY, WebhookHub } from './webhooks';

/**
 * A RyzeAPI emulator: a real HTTP server on loopback that answers as shared/api/ says the
 * provider does (token check, join outcomes, group list, X-RateLimit-* headers, 429), and
 * misbehaves on demand (faults), logging every request it received.
 */

export type FaultKind =
	| 'serverError' // 500 with the JSON envelope
	| 'badGatewayHtml' // 502 with an HTML page, as a proxy sends
	| 'unavailable' // 503 with the JSON envelope
	| 'emptyBody' // 500 with an empty body
	| 'reset' // the connection is destroyed before any answer
	| 'hang' // no answer at all, until the client gives up or the emulator closes
	| 'malformedJson' // 200, application/json, not JSON
	| 'truncatedJson' // 200, the JSON cut in the middle
	| 'oversizedBody' // 200 with a 1 MiB body
	| 'slowBody' // the real answer, headers at once, the body a byte at a time
	| 'rateLimited' // 429 with X-RateLimit-* headers saying none remain
	| 'rateLimitedBare' // 429 with no rate-limit headers
	| 'rateLimitedRetryAfter' // 429 with Retry-After: 1 and no rate-limit headers
	| 'throttled' // 429 while requests remain (WhatsApp throttling)
	| 'redirect'; // 302 to another host

export const FAULT_KINDS: readonly FaultKind[] = [
	'serverError',
	'badGatewayHtml',
	'unavailable',
	'emptyBody',
	'reset',
	'hang',
	'malformedJson',
	'truncatedJson',
	'oversizedBody',
	'slowBody',
	'rateLimited',
	'rateLimitedBare',
	'rateLimitedRetryAfter',
	'throttled',
	'redirect',
];

export type InstanceState = 'connected' | 'disconnected' | 'unavailable';

export interface EmulatorOptions {
	/** token → instances it may act on ('*': every instance, like a TokenAccount). */
	tokens?: Record<string, string[] | '*'>;
	instances?: Record<string, InstanceState>;
	/** Per-token fixed window (aligned to multiples of windowMs); false for no limit. Default: 100 per 60 s. */
	rateLimit?: { limit: number; windowMs: number; retryAfter?: boolean } | false;
	latencyMs?: number;
	/** What a code matching no rule is: an unknown group (default) or an open one. */
	unknownCodes?: 'missing' | 'open';
	groups?: Record<string, GroupBehaviour>;
	/** Share of requests (0..1) that get a random fault from faultKinds, from a seeded generator. */
	faultRate?: number;
	faultKinds?: readonly FaultKind[];
	seed?: number;
	/** Delay between body bytes of a slowBody fault. */
	slowBodyByteMs?: number;
	/** The emulator's time (its rate-limit windows, resets and log): a test that runs the node on a faster clock passes that clock's. */
	now?: () => number;
	/** How events are delivered to webhooks (default: 4 tries, 200 ms doubling, 5 s timeout). */
	delivery?: Partial<DeliveryOptions>;
	/** Pending joins approved by an admin this long after the request; undefined: only by approvePendingJoin(). */
	approveAfterMs?: number;
	/** WhatsApp restricting a number that joins too fast (restriction.ts); false (default): never. */
	restriction?: RestrictionOptions | false;
	port?: number;
}

export interface LoggedRequest {
	method: string;
	path: string;
	instance?: string;
	identifier?: unknown;
	token?: string;
	status?: number;
	fault?: FaultKind;
	at: number;
}

export const ACCOUNT_TOKEN = 'emulator-account-token';
export const INSTANCE_TOKEN = 'emulator-instance-token';
export const MAIN_INSTANCE = 'main';

const DEFAULT_TOKENS: Record<string, string[] | '*'> = {
	[ACCOUNT_TOKEN]: '*',
	[INSTANCE_TOKEN]: [MAIN_INSTANCE],
};
const DEFAULT_INSTANCES: Record<string, InstanceState> = {
	[MAIN_INSTANCE]: 'connected',
	second: 'connected',
	offline: 'disconnected',
	broken: 'unavailable',
};

export class RyzeApiEmulator implements EmulatorControls {
	readonly log: LoggedRequest[] = [];

	private server: Server | undefined;

	private scheme: 'http' | 'https' = 'http';

	private options: Required<
		Omit<EmulatorOptions, 'port' | 'rateLimit' | 'delivery' | 'approveAfterMs'>
	> &
		Pick<EmulatorOptions, 'rateLimit' | 'approveAfterMs'> & { delivery: DeliveryOptions };

	private readonly queuedFaults: FaultKind[] = [];

	private readonly windows = new Map<string, FixedWindow>();

	/** instance → JIDs of the groups it is in. */
	private readonly joined = new Map<string, Set<string>>();

	private readonly codeOfJid = new Map<string, string>();

	/** instance → codes of approval groups it asked to join, until approvePendingJoin(). */
	private readonly pendingJoins = new Map<string, Set<string>>();

	private readonly hub = new WebhookHub(
		() => this.options.delivery,
		() => this.options.now(),
	);

	private readonly pendingTimers = new Set<NodeJS.Timeout>();

	private readonly restrictions = new RestrictionModel();

	private random: () => number;

	constructor(private readonly initialOptions: EmulatorOptions = {}) {
		this.options = this.withDefaults(initialOptions);
		this.random = seededRandom(this.options.seed);
	}

	/**
	 * Starts listening on 127.0.0.1 (a random port unless one is given); over HTTPS with this key
	 * and certificate, as a self-hosted RyzeAPI behind a private CA.
	 */
	async start(port = 0, tls?: { key: string; cert: string }): Promise<this> {
		const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
		const server = tls ? createHttpsServer(tls, handler) : createServer(handler);
		this.scheme = tls ? 'https' : 'http';
		server.keepAliveTimeout = 5_000;
		server.listen(port, '127.0.0.1');
		await once(server, 'listening');
		this.server = server;
		return this;
	}

	get url(): string {
		const address = this.server?.address() as AddressInfo | null;
		if (!address) throw new Error('The emulator is not running');
		return `${this.scheme}://127.0.0.1:${address.port}`;
	}

	/** Changes behaviour for the requests that follow. */
	configure(options: EmulatorOptions): void {
		this.options = this.withDefaults({ ...this.options, ...options });
		if (options.seed !== undefined) this.random = seededRandom(options.seed);
	}

	/** The next `count` API requests get this fault, before any random one. */
	queueFault(kind: FaultKind, count = 1): void {
		for (let i = 0; i < count; i++) this.queuedFaults.push(kind);
	}

	setInstanceState(instance: string, state: InstanceState): void {
		this.options.instances[instance] = state;
	}

	/** Back to the options it was started with; forgets the log, rate-limit windows, faults, joins, webhooks and deliveries. */
	reset(): void {
		this.hub.reset();
		this.pendingJoins.clear();
		this.options = this.withDefaults(this.initialOptions);
		this.random = seededRandom(this.options.seed);
		this.log.length = 0;
		this.windows.clear();
		this.queuedFaults.length = 0;
		this.joined.clear();
		this.codeOfJid.clear();
		this.restrictions.reset();
	}

	/** The instance's restriction lifts, as after WhatsApp's 24–72 hours; false when there was none. */
	liftRestriction(instance: string): boolean {
		return this.restrictions.lift(instance);
	}

	/** Requests to the join route, in the order received. */
	joinRequests(): LoggedRequest[] {
		return this.log.filter(
			(entry) => entry.method === 'POST' && entry.path.startsWith('/api/group/join/'),
		);
	}

	/** Every delivery try to a webhook, in the order they ended. */
	get deliveries(): readonly Delivery[] {
		return this.hub.deliveries;
	}

	/** Resolves once every delivery started so far (retries included) has settled. */
	async deliveriesSettled(): Promise<void> {
		await this.hub.settled();
	}

	/**
	 * Posts the provider's envelope to every enabled webhook of the instance that takes the event;
	 * returns how many deliveries it started, without waiting for them.
	 */
	emit(instance: string, event: string, data: unknown): number {
		return this.hub.emit(event, data, {
			baseUrl: this.url,
			instance,
			token: this.instanceToken(instance),
		});
	}

	/**
	 * The instance's own token, as instanceData carries it: the configured token scoped to exactly
	 * this instance, else a made-up one that says what it is (tests look for it in n8n's data).
	 */
	instanceToken(instance: string): string {
		const own = Object.entries(this.options.tokens).find(
			([, scope]) => scope !== '*' && scope.length === 1 && scope[0] === instance,
		);
		return own?.[0] ?? `emulator-instance-token-of-${instance}`;
	}

	hasInstance(instance: string): boolean {
		return this.options.instances[instance] !== undefined;
	}

	/**
	 * An admin approves the instance's pending request (by code or invite link): it joins, and
	 * group.flow "joined" is emitted. Undefined when no such request is pending.
	 */
	approvePendingJoin(instance: string, identifier: string): number | undefined {
		const code = codeFromIdentifier(identifier);
		const pending = this.pendingJoins.get(instance);
		if (code === undefined || !pending?.delete(code)) return undefined;
		return this.joinGroup(instance, code);
	}

	/**
	 * The instance's connection changes: instance.state {state, timestamp} is emitted (the
	 * catalog's section is not stored: the shape is the third-party hint's). connected connects;
	 * logged_out, temp_banned and disconnected disconnect; other states leave it as it is.
	 */
	reportInstanceState(instance: string, state: string): number {
		if (state === 'connected') this.setInstanceState(instance, 'connected');
		if (['logged_out', 'temp_banned', 'disconnected'].includes(state))
			this.setInstanceState(instance, 'disconnected');
		return this.emit(instance, 'instance.state', { state, timestamp: this.isoNow() });
	}

	async close(): Promise<void> {
		this.hub.stop();
		for (const timer of this.pendingTimers) clearTimeout(timer);
		this.pendingTimers.clear();
		const server = this.server;
		this.server = undefined;
		if (!server) return;
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	private withDefaults(options: EmulatorOptions) {
		return {
			tokens: { ...(options.tokens ?? DEFAULT_TOKENS) },
			instances: { ...(options.instances ?? DEFAULT_INSTANCES) },
			rateLimit:
				options.rateLimit === undefined ? { limit: 100, windowMs: 60_000 } : options.rateLimit,
			latencyMs: options.latencyMs ?? 0,
			unknownCodes: options.unknownCodes ?? 'missing',
			groups: options.groups ?? {},
			faultRate: options.faultRate ?? 0,
			faultKinds: options.faultKinds ?? FAULT_KINDS,
			seed: options.seed ?? 1,
			slowBodyByteMs: options.slowBodyByteMs ?? 50,
			now: options.now ?? Date.now,
			delivery: { ...DEFAULT_DELIVERY, ...options.delivery },
			restriction: options.restriction ?? false,
			approveAfterMs: options.approveAfterMs,
		};
	}

	private handle(req: IncomingMessage, res: ServerResponse): void {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= 64 * 1024) chunks.push(chunk);
		});
		req.on('end', () => {
			const entry: LoggedRequest = {
				method: req.method ?? '',
				path: req.url ?? '',
				at: this.options.now(),
			};
			this.log.push(entry);
			const respond = () => this.route(req, res, Buffer.concat(chunks).toString('utf8'), entry);
			if (this.options.latencyMs > 0) this.later(respond, this.options.latencyMs);
			else respond();
		});
	}

	private route(
		req: IncomingMessage,
		res: ServerResponse,
		rawBody: string,
		entry: LoggedRequest,
	): void {
		// The raw path, not a parsed URL: parsing would resolve an encoded ".." instance name.
		const rawPath = (req.url ?? '/').split('?')[0];
		const body = parseJson(rawBody);
		if (rawPath.startsWith('/_emulator/'))
			return this.sendAnswer(res, entry, answerControlRoute(this, entry.method, rawPath, body));
		const match = API_ROUTE.exec(rawPath);
		// Unknown routes answer like a plain web server, not with the API's envelope.
		if (!match)
			return this.sendRaw(
				res,
				entry,
				404,
				'text/html',
				`<pre>Cannot ${req.method} ${rawPath}</pre>`,
			);
		const { group, events, instance: encodedInstance } = match.groups ?? {};
		const route = group ?? events;
		let instance: string;
		try {
			instance = decodeURIComponent(encodedInstance);
		} catch {
			return this.send(res, entry, 400, envelope('Invalid instance name'));
		}
		entry.instance = instance;
		const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
		if (route === 'join')
			entry.identifier = (body as { identifier?: unknown } | undefined)?.identifier;
		// info and leave take the identifier in the query, as the provider's pages say.
		if (route === 'info' || route === 'leave')
			entry.identifier = query.get('identifier') ?? undefined;

		const headers = this.admit(req, res, entry, instance);
		if (!headers) return;
		if (events) {
			const answer = answerEventsRoute(
				this.hub,
				route as 'webhook' | 'getWebhook',
				entry.method,
				instance,
				body,
				query,
			);
			return this.sendAnswer(res, entry, answer, headers);
		}
		this.groupRoute(req, res, entry, { route, instance, body, query, headers });
	}

	/**
	 * What every API route checks first, in the provider's order: a fault on demand, the token's
	 * rate window (one per token, whatever the route), the token, the instance, the token's scope.
	 * The answer's rate-limit headers, or undefined once a refusal was sent.
	 */
	private admit(
		req: IncomingMessage,
		res: ServerResponse,
		entry: LoggedRequest,
		instance: string,
	): Record<string, string> | undefined {
		const token = readToken(req);
		entry.token = token;
		const fault = this.nextFault();
		if (fault) entry.fault = fault;
		// A slow body is the real answer, delivered slowly (send() reads entry.fault).
		if (fault && fault !== 'slowBody') return void this.sendFault(res, entry, fault, token);

		const limit = this.takeRateLimit(token ?? '');
		const headers = limit.headers;
		const refuse = (status: number, message: string) =>
			void this.send(res, entry, status, envelope(message), headers);
		if (!limit.allowed) return refuse(429, 'Rate limit exceeded. Try again later.');
		if (token === undefined) return refuse(401, 'Missing token in header');
		const scope = this.options.tokens[token];
		if (scope === undefined) return refuse(401, 'Invalid token');
		if (!this.hasInstance(instance)) return refuse(404, 'Instance not found');
		if (scope !== '*' && !scope.includes(instance))
			return refuse(403, 'Token does not have access to this instance');
		return headers;
	}

	/** /api/group/*: join, list, info and leave, once admitted. */
	private groupRoute(
		req: IncomingMessage,
		res: ServerResponse,
		entry: LoggedRequest,
		call: {
			route: string;
			instance: string;
			body: unknown;
			query: URLSearchParams;
			headers: Record<string, string>;
		},
	): void {
		const { route, instance, body, query, headers } = call;
		const method = { join: 'POST', list: 'GET', info: 'GET', leave: 'DELETE' }[route];
		if (req.method !== method)
			return this.send(res, entry, 404, envelope('Route not found'), headers);
		// Every group route acts through the instance's WhatsApp session, the list included: an
		// offline instance answers as the provider documents (400 disconnected, 503 not connected).
		const state = this.options.instances[instance];
		if (state === 'disconnected')
			return this.send(res, entry, 400, envelope('Instance disconnected'), headers);
		if (state === 'unavailable')
			return this.send(res, entry, 503, envelope('Instance not connected'), headers);

		if (route === 'list') {
			// Undocumented (its page is not published): each group shaped as /info shapes it, the
			// member list left out, under `groups` (the emulator's choice; the node reads others too).
			const groups = [...(this.joined.get(instance) ?? [])].map((jid) => {
				const code = this.codeOfJid.get(jid) ?? jid;
				return groupDetail(code, this.behaviour(code), true, false);
			});
			const message = `${groups.length} groups found`;
			return this.send(res, entry, 200, { success: true, message, groups }, headers);
		}
		if (route === 'info') return this.groupInfo(res, entry, instance, query, headers);
		if (route === 'leave') return this.leaveGroup(res, entry, instance, headers);

		if (body === undefined)
			return this.send(res, entry, 400, envelope('Validation failed: body must be JSON'), headers);
		const identifier = entry.identifier;
		const code = typeof identifier === 'string' ? codeFromIdentifier(identifier) : undefined;
		if (code === undefined)
			return this.send(res, entry, 400, envelope('Invalid invite link or code'), headers);

		const restricted = this.restrictions.refusal(
			this.options.restriction,
			instance,
			this.options.now(),
		);
		if (restricted)
			return this.send(res, entry, restricted.status, envelope(restricted.message), headers);
		const behaviour = this.behaviour(code);
		switch (behaviour) {
			case 'open':
				this.joinGroup(instance, code);
				return this.send(res, entry, 200, joinedBody(code, false), headers);
			case 'approval':
				this.rememberPendingJoin(instance, code);
				return this.send(res, entry, 200, joinedBody(code, true), headers);
			case 'forbidden':
				return this.send(res, entry, 403, envelope('Not allowed to join this group'), headers);
			default: {
				const [status, message] = REFUSALS[behaviour];
				return this.send(res, entry, status, envelope(message), headers);
			}
		}
	}

	/** GET /api/group/info: the group's details, by JID (a group the instance is in) or by code or link. */
	private groupInfo(
		res: ServerResponse,
		entry: LoggedRequest,
		instance: string,
		query: URLSearchParams,
		headers: Record<string, string>,
	): void {
		const found = this.findGroup(instance, entry.identifier);
		if (!found.ok) return this.send(res, entry, found.status, envelope(found.message), headers);
		const { code } = found;
		const behaviour = this.behaviour(code);
		if (behaviour in REFUSALS) {
			const [status, message] = REFUSALS[behaviour as keyof typeof REFUSALS];
			return this.send(res, entry, status, envelope(message), headers);
		}
		const member = this.joined.get(instance)?.has(groupJidOf(code)) ?? false;
		const group = groupDetail(code, behaviour, member, query.get('participants') !== 'false');
		return this.send(
			res,
			entry,
			200,
			{ success: true, message: 'Group info retrieved', group },
			headers,
		);
	}

	/** DELETE /api/group/leave: only a group the instance is in; leaving twice answers 404. */
	private leaveGroup(
		res: ServerResponse,
		entry: LoggedRequest,
		instance: string,
		headers: Record<string, string>,
	): void {
		const notMember = envelope('Group not found or you are not a member of this group');
		const found = this.findGroup(instance, entry.identifier);
		if (!found.ok) return this.send(res, entry, found.status, envelope(found.message), headers);
		if (this.behaviour(found.code) === 'forbidden') {
			return this.send(res, entry, 403, envelope('Not allowed to leave this group'), headers);
		}
		const groupJid = groupJidOf(found.code);
		const groups = this.joined.get(instance);
		if (!groups?.has(groupJid)) return this.send(res, entry, 404, notMember, headers);
		groups.delete(groupJid);
		this.emitGroupFlow(instance, 'left', found.code);
		return this.send(
			res,
			entry,
			200,
			{ success: true, message: 'Successfully left the group', groupJid },
			headers,
		);
	}

	/** The code behind a JID (of a group the instance is in), a code or a link. */
	private findGroup(
		instance: string,
		identifier: unknown,
	): { ok: true; code: string } | { ok: false; status: number; message: string } {
		if (typeof identifier !== 'string' || identifier.trim() === '') {
			return { ok: false, status: 400, message: 'Identifier is required' };
		}
		if (/@g\.us$/i.test(identifier.trim())) {
			const code = this.codeOfJid.get(identifier.trim().toLowerCase());
			const member = code !== undefined && this.joined.get(instance)?.has(groupJidOf(code));
			return member
				? { ok: true, code }
				: {
						ok: false,
						status: 404,
						message: 'Group not found or you are not a member of this group',
					};
		}
		const code = codeFromIdentifier(identifier);
		if (code === undefined)
			return { ok: false, status: 400, message: 'Invalid invite link or code' };
		return { ok: true, code };
	}

	private behaviour(code: string): GroupBehaviour {
		return behaviourOf(
			code,
			new Map(Object.entries(this.options.groups)),
			this.options.unknownCodes,
		);
	}

	/** Whether the instance is in the group of this code (tests). */
	isMember(instance: string, code: string): boolean {
		return this.joined.get(instance)?.has(groupJidOf(code)) ?? false;
	}

	private nextFault(): FaultKind | undefined {
		const queued = this.queuedFaults.shift();
		if (queued) return queued;
		const { faultRate, faultKinds } = this.options;
		if (faultRate > 0 && faultKinds.length > 0 && this.random() < faultRate) {
			return faultKinds[Math.floor(this.random() * faultKinds.length)];
		}
		return undefined;
	}

	private takeRateLimit(token: string): { allowed: boolean; headers: Record<string, string> } {
		const config = this.options.rateLimit;
		if (!config) return { allowed: true, headers: {} };
		const now = this.options.now();
		let window = this.windows.get(token);
		// configure() may change the limit between two requests: the token's window follows it.
		if (!window || window.limit !== config.limit || window.windowMs !== config.windowMs) {
			window = new FixedWindow(config.limit, config.windowMs);
			this.windows.set(token, window);
		}
		const answer = window.take(now);
		const headers: Record<string, string> = {
			'X-RateLimit-Limit': String(answer.limit),
			'X-RateLimit-Remaining': String(answer.remaining),
			'X-RateLimit-Reset': String(answer.resetAtSeconds),
		};
		if (!answer.allowed && config.retryAfter)
			headers['Retry-After'] = String(Math.max(1, Math.ceil((answer.resetAtMs - now) / 1000)));
		return { allowed: answer.allowed, headers };
	}

	private sendFault(
		res: ServerResponse,
		entry: LoggedRequest,
		fault: FaultKind,
		token: string | undefined,
	): void {
		const limitHeaders = () => this.takeRateLimit(token ?? '').headers;
		switch (fault) {
			case 'serverError':
				return this.send(res, entry, 500, envelope('Internal server error'), limitHeaders());
			case 'unavailable':
				return this.send(res, entry, 503, envelope('Bridge not configured'), limitHeaders());
			case 'badGatewayHtml':
				return this.sendRaw(
					res,
					entry,
					502,
					'text/html',
					'<html><body><h1>502 Bad Gateway</h1></body></html>',
				);
			case 'emptyBody':
				return this.sendRaw(res, entry, 500, 'application/json', '');
			case 'malformedJson':
				return this.sendRaw(
					res,
					entry,
					200,
					'application/json',
					'{success: true,, "groupJid": }',
					limitHeaders(),
				);
			case 'truncatedJson':
				return this.sendRaw(
					res,
					entry,
					200,
					'application/json',
					'{"success":true,"message":"Successfully jo',
					limitHeaders(),
				);
			case 'oversizedBody':
				return this.sendRaw(
					res,
					entry,
					200,
					'application/json',
					JSON.stringify({ success: true, padding: 'x'.repeat(1024 * 1024) }),
				);
			case 'rateLimited': {
				const config = this.options.rateLimit || { limit: 100, windowMs: 60_000 };
				return this.send(res, entry, 429, envelope('Rate limit exceeded. Try again later.'), {
					'X-RateLimit-Limit': String(config.limit),
					'X-RateLimit-Remaining': '0',
					'X-RateLimit-Reset': String(Math.ceil((this.options.now() + 1000) / 1000)),
				});
			}
			case 'rateLimitedBare':
				return this.send(res, entry, 429, envelope('Rate limit exceeded. Try again later.'));
			case 'rateLimitedRetryAfter':
				return this.send(res, entry, 429, envelope('Rate limit exceeded. Try again later.'), {
					'Retry-After': '1',
				});
			case 'throttled':
				return this.send(
					res,
					entry,
					429,
					envelope('Too many requests to WhatsApp, slow down'),
					limitHeaders(),
				);
			case 'redirect':
				res.setHeader('Location', 'http://127.0.0.2:9/elsewhere');
				return this.sendRaw(res, entry, 302, 'text/plain', '');
			case 'reset':
				entry.status = 0;
				res.socket?.destroy();
				return;
			case 'hang':
				entry.status = 0;
				return;
			case 'slowBody':
				throw new Error('slowBody is sent by send(), as the real answer');
		}
	}

	private sendSlowly(
		res: ServerResponse,
		entry: LoggedRequest,
		status: number,
		body: string,
		headers: Record<string, string>,
	): void {
		entry.status = status;
		res.writeHead(status, {
			...headers,
			'Content-Type': 'application/json',
			'Content-Length': Buffer.byteLength(body),
		});
		let index = 0;
		const step = () => {
			if (res.destroyed) return;
			res.write(body.slice(index, index + 1));
			index++;
			if (index >= body.length) res.end();
			else this.later(step, this.options.slowBodyByteMs);
		};
		step();
	}

	private send(
		res: ServerResponse,
		entry: LoggedRequest,
		status: number,
		body: unknown,
		headers: Record<string, string> = {},
	): void {
		if (entry.fault === 'slowBody')
			return this.sendSlowly(res, entry, status, JSON.stringify(body), headers);
		this.sendRaw(
			res,
			entry,
			status,
			'application/json; charset=utf-8',
			JSON.stringify(body),
			headers,
		);
	}

	private sendRaw(
		res: ServerResponse,
		entry: LoggedRequest,
		status: number,
		type: string,
		body: string,
		headers: Record<string, string> = {},
	): void {
		entry.status = status;
		if (res.destroyed) return;
		res.writeHead(status, {
			...headers,
			'Content-Type': type,
			'Content-Length': Buffer.byteLength(body),
		});
		res.end(body);
	}

	/**
	 * The instance is in the group from now on. Only a join that changes membership emits
	 * group.flow "joined" (emulator's choice: the provider does not say whether its own join, or a
	 * repeated one, emits). Returns how many deliveries it started.
	 */
	private joinGroup(instance: string, code: string): number {
		const groups = entryOf(this.joined, instance, () => new Set<string>());
		this.codeOfJid.set(groupJidOf(code), code);
		if (groups.has(groupJidOf(code))) return 0;
		groups.add(groupJidOf(code));
		return this.emitGroupFlow(instance, 'joined', code);
	}

	/** A join into an approval group waits for approvePendingJoin() (asking twice is one request). */
	private rememberPendingJoin(instance: string, code: string): void {
		const pending = entryOf(this.pendingJoins, instance, () => new Set<string>());
		if (pending.has(code)) return;
		pending.add(code);
		// An admin approves later, by itself: the join appears in the list, group.flow is sent.
		const after = this.options.approveAfterMs;
		if (after !== undefined) this.later(() => void this.approvePendingJoin(instance, code), after);
	}

	/** The instance is in these groups already (a number in thousands of groups, for tests). */
	addGroups(instance: string, codes: readonly string[]): void {
		const groups = entryOf(this.joined, instance, () => new Set<string>());
		for (const code of codes) {
			groups.add(groupJidOf(code));
			this.codeOfJid.set(groupJidOf(code), code);
		}
	}

	/** The instance leaves the group by itself (removed by an admin, say): no request, group.flow left. */
	removeFromGroup(instance: string, code: string): boolean {
		const removed = this.joined.get(instance)?.delete(groupJidOf(code)) ?? false;
		if (removed) this.emitGroupFlow(instance, 'left', code);
		return removed;
	}

	/**
	 * group.flow for the instance's own join or leave, shaped as section 4 of ryzeapi-events.md
	 * (a third-party hint: the catalog's group.flow section is not stored).
	 */
	private emitGroupFlow(instance: string, type: 'joined' | 'left', code: string): number {
		return this.emit(instance, 'group.flow', {
			type,
			groupJid: groupJidOf(code),
			groupName: groupNameOf(code),
			timestamp: this.isoNow(),
			participants: [{ jid: instanceJidOf(instance), name: instance }],
		});
	}

	private isoNow(): string {
		return new Date(this.options.now()).toISOString();
	}

	private sendAnswer(
		res: ServerResponse,
		entry: LoggedRequest,
		answer: Answer,
		headers: Record<string, string> = {},
	): void {
		this.send(res, entry, answer.status, answer.body, headers);
	}

	private later(action: () => void, ms: number): void {
		const timer = setTimeout(() => {
			this.pendingTimers.delete(timer);
			action();
		}, ms);
		this.pendingTimers.add(timer);
	}
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RyzeApiEmulator> {
	return await new RyzeApiEmulator(options).start(options.port ?? 0);
}

/** The API's route families: /api/group/* and /api/events/* (the webhook registry). */
const API_ROUTE =
	/^\/api\/(?:group\/(?<group>join|list|info|leave)|events\/(?<events>webhook|getWebhook))\/(?<instance>[^/]*)$/;

/** The map's value for this key, created first when absent. */
function entryOf<K, V>(map: Map<K, V>, key: K, create: () => V): V {
	let value = map.get(key);
	if (value === undefined) {
		value = create();
		map.set(key, value);
	}
	return value;
}

function readToken(req: IncomingMessage): string | undefined {
	const header = req.headers.token;
	if (typeof header === 'string' && header !== '') return header;
	const authorization = req.headers.authorization;
	const bearer = typeof authorization === 'string' ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
	return bearer?.[1];
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function joinedBody(code: string, requiresApproval: boolean) {
	return {
		success: true,
		message: requiresApproval
			? 'Join request sent successfully. Waiting for admin approval.'
			: 'Successfully joined the group',
		groupJid: groupJidOf(code),
		requiresApproval,
	};
}

/** What join and info answer for a group that cannot be joined or seen. */
const REFUSALS = {
	revoked: [400, 'Invite link has been revoked or expired'],
	invalid: [400, 'Invalid invite link or code'],
	missing: [404, 'Group not found'],
} as const;

/**
 * A GroupDetail as /info answers it (inside `group`: the reset-link page reads `group.inviteLink`).
 * Codes containing "Big" are groups of 1,000; others have 5 members, plus the instance once it joined.
 */
function groupDetail(
	code: string,
	behaviour: GroupBehaviour,
	member: boolean,
	withParticipants: boolean,
) {
	const participantCount = (code.includes('Big') ? 1000 : 5) + (member ? 1 : 0);
	return {
		name: groupNameOf(code),
		jid: groupJidOf(code),
		description: `An emulated group (${behaviour})`,
		inviteCode: code,
		inviteLink: `https://chat.whatsapp.com/${code}`,
		createdBy: '5511999999999@s.whatsapp.net',
		createdAt: '2026-01-15T10:00:00Z',
		participantCount,
		...(withParticipants
			? {
					participants: Array.from({ length: participantCount }, (_, index) => ({
						jid: `55119${String(index).padStart(8, '0')}@s.whatsapp.net`,
						lid: `1997${String(index).padStart(11, '0')}@lid`,
						isAdmin: index === 0,
						isSuperAdmin: index === 0,
					})),
				}
			: {}),
		groupSettings: {
			membersCanEditInfo: false,
			membersCanSendMessages: true,
			membersCanAddOthers: false,
			requireAdminApproval: behaviour === 'approval',
		},
		image: null,
		metadata: {},
		isEphemeral: false,
		isIncognito: false,
		isSuspended: false,
		isDefaultSubGroup: false,
	};
}

/** mulberry32: a small seeded generator, so a fault mix is the same on every run. */
function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
