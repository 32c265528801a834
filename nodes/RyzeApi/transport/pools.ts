/**
 * One keep-alive connection pool per origin and proxy, shared by every execution in this process,
 * and the proxy each connection goes through (shared/proxyRoute.ts decides it).
 */
import { Agent, ProxyAgent } from 'undici';
import type { Dispatcher } from 'undici';

import type { Connection } from '../shared/connection';
import type { ProxyRoute } from '../shared/proxyRoute';
import { proxyRoute } from '../shared/proxyRoute';

const CONNECT_TIMEOUT_MS = 10_000;

const POOL_OPTIONS = {
	keepAliveTimeout: 10_000,
	keepAliveMaxTimeout: 60_000,
	connections: 32,
};

/** The proxy is part of the key because the environment may change (it does in tests). */
const dispatchers = new Map<string, Dispatcher>();

export function dispatcherFor(
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

export function routeOf(connection: Connection): ProxyRoute {
	const known = routes.get(connection);
	if (known?.origin === connection.origin) return known.route;
	const route = proxyRoute(connection.origin, process.env);
	routes.set(connection, { origin: connection.origin, route });
	return route;
}
