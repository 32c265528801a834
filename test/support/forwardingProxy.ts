import { once } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';

/**
 * A forwarding HTTP proxy on 127.0.0.1, as a corporate proxy behaves: plain http:// requests are
 * forwarded (absolute-URI requests), https:// goes through CONNECT tunnels. It logs what it saw,
 * every byte it relayed through a tunnel included, so a test can prove what a proxy can read.
 * It only ever connects to loopback, and can ask for a user and password or refuse every tunnel.
 * Written here rather than taken from npm because a test needs exactly that log of relayed bytes.
 */
export interface ProxyOptions {
	/** Answer 407 unless Proxy-Authorization carries this user and password. */
	credentials?: { user: string; password: string };
	/** Refuse every CONNECT with this status (a proxy whose policy forbids the host). */
	refuseConnectWith?: number;
}

export interface ForwardedRequest {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
}

export interface Tunnel {
	target: string;
	headers: IncomingHttpHeaders;
}

const RELAY_LOG_LIMIT = 1024 * 1024;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export class ForwardingProxy {
	readonly forwarded: ForwardedRequest[] = [];

	readonly tunnels: Tunnel[] = [];

	/** Bytes relayed through tunnels, both ways, up to 1 MiB. */
	private relayed: Buffer[] = [];

	private relayedSize = 0;

	private server: Server | undefined;

	private readonly sockets = new Set<Socket>();

	constructor(private options: ProxyOptions = {}) {}

	async start(): Promise<this> {
		const server = createServer((req, res) => this.forward(req, res));
		server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) =>
			this.tunnel(req, socket, head),
		);
		server.on('connection', (socket: Socket) => this.track(socket));
		server.listen(0, '127.0.0.1');
		await once(server, 'listening');
		this.server = server;
		return this;
	}

	get port(): number {
		const address = this.server?.address() as AddressInfo | null;
		if (!address) throw new Error('The proxy is not running');
		return address.port;
	}

	/** The proxy's URL, with the user and password when it asks for them. */
	get url(): string {
		const credentials = this.options.credentials;
		const auth = credentials
			? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@`
			: '';
		return `http://${auth}127.0.0.1:${this.port}`;
	}

	configure(options: ProxyOptions): void {
		this.options = options;
	}

	reset(): void {
		this.forwarded.length = 0;
		this.tunnels.length = 0;
		this.relayed = [];
		this.relayedSize = 0;
	}

	relayedBytes(): Buffer {
		return Buffer.concat(this.relayed);
	}

	async close(): Promise<void> {
		if (!this.server) return;
		for (const socket of this.sockets) socket.destroy();
		const server = this.server;
		this.server = undefined;
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	private forward(req: IncomingMessage, res: ServerResponse): void {
		this.forwarded.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
		if (!this.authorised(req.headers)) {
			res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
			return;
		}
		let target: URL;
		try {
			target = new URL(req.url ?? '');
		} catch {
			res.writeHead(400).end();
			return;
		}
		if (target.protocol !== 'http:' || !LOOPBACK.has(target.hostname)) {
			res.writeHead(403).end();
			return;
		}
		const headers = { ...req.headers };
		delete headers['proxy-authorization'];
		delete headers['proxy-connection'];
		const upstream = httpRequest(
			{
				host: target.hostname,
				port: target.port,
				method: req.method,
				path: `${target.pathname}${target.search}`,
				headers,
			},
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', () => res.destroy());
		req.pipe(upstream);
	}

	private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
		const target = req.url ?? '';
		this.tunnels.push({ target, headers: req.headers });
		client.on('error', () => client.destroy());
		const refusal = !this.authorised(req.headers)
			? '407 Proxy Authentication Required'
			: this.options.refuseConnectWith
				? `${this.options.refuseConnectWith} Refused`
				: undefined;
		const match = /^(.+):(\d+)$/.exec(target);
		if (refusal || !match || !LOOPBACK.has(match[1])) {
			client.end(`HTTP/1.1 ${refusal ?? '403 Forbidden'}\r\nContent-Length: 0\r\n\r\n`);
			return;
		}
		const upstream = connect(Number(match[2]), match[1] === 'localhost' ? '127.0.0.1' : match[1]);
		this.track(upstream);
		upstream.on('error', () => client.destroy());
		upstream.on('connect', () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			if (head.length > 0) this.relay(head, upstream);
			client.on('data', (chunk: Buffer) => this.relay(chunk, upstream));
			upstream.on('data', (chunk: Buffer) => this.relay(chunk, client));
			client.on('close', () => upstream.destroy());
			upstream.on('close', () => client.destroy());
		});
	}

	private relay(chunk: Buffer, to: Socket): void {
		if (this.relayedSize < RELAY_LOG_LIMIT) {
			this.relayed.push(chunk);
			this.relayedSize += chunk.length;
		}
		to.write(chunk);
	}

	private authorised(headers: IncomingHttpHeaders): boolean {
		const credentials = this.options.credentials;
		if (!credentials) return true;
		const expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
		return headers['proxy-authorization'] === expected;
	}

	private track(socket: Socket): void {
		this.sockets.add(socket);
		socket.on('close', () => this.sockets.delete(socket));
	}
}
