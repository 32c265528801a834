/**
 * Whether a request to an origin goes through a proxy, decided from the environment the way n8n
 * decides it for its own HTTP helpers (n8n-core's proxy agents ask the proxy-from-env package), so
 * this node and n8n's HTTP Request node take the same road to the same URL. Pure.
 *
 * undici's EnvHttpProxyAgent reads the same variables but decides differently (HTTP_PROXY also
 * carries https:// requests, ALL_PROXY is ignored, a proxy without a scheme is an error) and cannot
 * say which proxy a failed request went through; undici's ProxyAgent then does the proxying.
 */

export type Environment = Readonly<Record<string, string | undefined>>;

export type ProxyRoute =
	| { kind: 'direct' }
	/** url may hold user:password; shown never does. variable is the name as it was set. */
	| { kind: 'proxy'; url: string; shown: string; variable: string }
	| { kind: 'invalid'; variable: string; problem: string };

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

export function proxyRoute(origin: string, env: Environment): ProxyRoute {
	let target: URL;
	try {
		target = new URL(origin);
	} catch {
		return { kind: 'direct' };
	}
	const scheme = target.protocol.replace(/:$/, '');
	if (!(scheme in DEFAULT_PORTS)) return { kind: 'direct' };
	// URL.host keeps an IPv6 address's brackets, as NO_PROXY entries write them.
	const hostname = target.host.replace(/:\d*$/, '');
	const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[scheme];
	if (!shouldProxy(hostname, port, env)) return { kind: 'direct' };

	const found = firstSet(env, [
		`npm_config_${scheme}_proxy`,
		`${scheme}_proxy`,
		'npm_config_proxy',
		'all_proxy',
	]);
	if (!found) return { kind: 'direct' };
	// A proxy written without a scheme speaks the request's scheme, as proxy-from-env reads it.
	const written = found.value.includes('://') ? found.value : `${scheme}://${found.value}`;
	let proxy: URL;
	try {
		proxy = new URL(written);
	} catch {
		return { kind: 'invalid', variable: found.name, problem: 'it is not a URL' };
	}
	if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
		return {
			kind: 'invalid',
			variable: found.name,
			problem: 'only http:// and https:// proxies are supported',
		};
	}
	return {
		kind: 'proxy',
		url: proxy.href,
		shown: `${proxy.protocol}//${proxy.host}`,
		variable: found.name,
	};
}

/** NO_PROXY: "*", or host names, ".domain" / "*.domain" suffixes, each with an optional ":port". */
function shouldProxy(hostname: string, port: number, env: Environment): boolean {
	const noProxy = (
		firstSet(env, ['npm_config_no_proxy'])?.value ??
		firstSet(env, ['no_proxy'])?.value ??
		''
	).toLowerCase();
	if (noProxy === '') return true;
	if (noProxy === '*') return false;
	return noProxy.split(/[,\s]/).every((entry) => {
		if (entry === '') return true;
		const withPort = /^(.+):(\d+)$/.exec(entry);
		let host = withPort ? withPort[1] : entry;
		const entryPort = withPort ? Number.parseInt(withPort[2], 10) : 0;
		if (entryPort && entryPort !== port) return true;
		if (!/^[.*]/.test(host)) return hostname !== host;
		if (host.startsWith('*')) host = host.slice(1);
		return !hostname.endsWith(host);
	});
}

/** The first of these variables that is set and not empty, lower case before upper case. */
function firstSet(
	env: Environment,
	names: readonly string[],
): { name: string; value: string } | undefined {
	for (const name of names) {
		for (const spelled of [name.toLowerCase(), name.toUpperCase()]) {
			const value = env[spelled];
			if (value) return { name: spelled, value };
		}
	}
	return undefined;
}
