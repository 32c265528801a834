import { once } from 'node:events';
import type { RequestListener, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server listening on 127.0.0.1, on a port the system picks. */
export async function listenOnLoopback(handler: RequestListener): Promise<Server> {
	const server = createServer(handler);
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	return server;
}

/** `http://127.0.0.1:<port>` of a listening server; `what` names it in the error when it is not. */
export function originOf(server: Server | undefined, what: string): string {
	const address = server?.address() as AddressInfo | null | undefined;
	if (!address) throw new Error(`${what} is not running`);
	return `http://127.0.0.1:${address.port}`;
}

/** Closes the server and its open connections; nothing when it is not running. */
export async function closeServer(server: Server | undefined): Promise<void> {
	if (!server) return;
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
}
