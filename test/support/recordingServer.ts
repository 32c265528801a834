import type { IncomingHttpHeaders, Server } from 'node:http';

import { closeServer, listenOnLoopback, originOf } from './loopbackServer';

export interface RecordedRequest {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	/** The body parsed as JSON, or its text when it is not JSON. */
	body: unknown;
}

/**
 * An HTTP receiver on loopback that answers 200 to everything and records what it got: the
 * stand-in for a Slack, Discord or Teams incoming webhook the instance alert example posts to.
 */
export class RecordingServer {
	readonly received: RecordedRequest[] = [];

	private server: Server | undefined;

	async start(): Promise<this> {
		this.server = await listenOnLoopback((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let body: unknown = text;
				try {
					body = JSON.parse(text);
				} catch {
					// Not JSON: keep the text.
				}
				this.received.push({
					method: req.method ?? '',
					path: req.url ?? '',
					headers: req.headers,
					body,
				});
				res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
			});
		});
		return this;
	}

	get url(): string {
		return originOf(this.server, 'The recording server');
	}

	async close(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		await closeServer(server);
	}
}
