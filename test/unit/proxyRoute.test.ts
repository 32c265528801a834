/**
 * The proxy decision: a table of what users write, and a property that it is n8n's decision, the
 * one n8n-core makes through proxy-from-env for its HTTP Request node, for any mix of variables.
 */
import fc from 'fast-check';

import type { Environment } from '../../nodes/RyzeApi/shared/proxyRoute';
import { proxyRoute } from '../../nodes/RyzeApi/shared/proxyRoute';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getProxyForUrl } = require('proxy-from-env') as { getProxyForUrl(url: string): string };

describe('what users write', () => {
	test.each<[string, Environment, string | undefined]>([
		['https://ryzeapi.cloud', {}, undefined],
		['https://ryzeapi.cloud', { HTTPS_PROXY: 'http://proxy:3128' }, 'http://proxy:3128/'],
		['https://ryzeapi.cloud', { https_proxy: 'http://proxy:3128' }, 'http://proxy:3128/'],
		// As n8n: HTTP_PROXY is for http:// only; ALL_PROXY for both.
		['https://ryzeapi.cloud', { HTTP_PROXY: 'http://proxy:3128' }, undefined],
		['http://ryzeapi.local', { HTTP_PROXY: 'http://proxy:3128' }, 'http://proxy:3128/'],
		['https://ryzeapi.cloud', { ALL_PROXY: 'http://proxy:3128' }, 'http://proxy:3128/'],
		// Lower case first, and an empty value counts as unset.
		[
			'https://ryzeapi.cloud',
			{ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' },
			'http://lower:1/',
		],
		[
			'https://ryzeapi.cloud',
			{ https_proxy: '', HTTPS_PROXY: 'http://upper:2' },
			'http://upper:2/',
		],
		// Without a scheme, the request's.
		['https://ryzeapi.cloud', { HTTPS_PROXY: 'proxy:3128' }, 'https://proxy:3128/'],
		['https://ryzeapi.cloud', { HTTPS_PROXY: 'http://p', NO_PROXY: 'ryzeapi.cloud' }, undefined],
		['https://ryzeapi.cloud', { HTTPS_PROXY: 'http://p', no_proxy: '.cloud' }, undefined],
		[
			'https://api.ryzeapi.cloud',
			{ HTTPS_PROXY: 'http://p', NO_PROXY: '*.ryzeapi.cloud' },
			undefined,
		],
		['https://ryzeapi.cloud', { HTTPS_PROXY: 'http://p', NO_PROXY: 'RYZEAPI.CLOUD' }, undefined],
		[
			'https://ryzeapi.cloud',
			{ HTTPS_PROXY: 'http://p', NO_PROXY: 'ryzeapi.cloud:443' },
			undefined,
		],
		[
			'https://ryzeapi.cloud',
			{ HTTPS_PROXY: 'http://p', NO_PROXY: 'ryzeapi.cloud:8443' },
			'http://p/',
		],
		['https://ryzeapi.cloud', { HTTPS_PROXY: 'http://p', NO_PROXY: 'other.cloud' }, 'http://p/'],
		['https://ryzeapi.cloud', { HTTPS_PROXY: 'http://p', NO_PROXY: '*' }, undefined],
		['http://[::1]:3555', { HTTP_PROXY: 'http://p', NO_PROXY: '[::1]' }, undefined],
	])('%s with %j: %s', (origin, env, expected) => {
		const route = proxyRoute(origin, env);
		expect(route.kind === 'proxy' ? route.url : undefined).toBe(expected);
	});

	test('the proxy is shown without its user and password, with the variable that set it', () => {
		expect(
			proxyRoute('https://ryzeapi.cloud', {
				https_proxy: 'http://me:s%40cret@proxy.corp:3128/path',
			}),
		).toEqual({
			kind: 'proxy',
			url: 'http://me:s%40cret@proxy.corp:3128/path',
			shown: 'http://proxy.corp:3128',
			variable: 'https_proxy',
		});
	});

	test.each([
		['socks5://proxy:1080', 'only http:// and https:// proxies are supported'],
		['http://[bad', 'it is not a URL'],
	])('%s is refused with a reason, naming the variable', (value, problem) => {
		expect(proxyRoute('https://ryzeapi.cloud', { HTTPS_PROXY: value })).toEqual({
			kind: 'invalid',
			variable: 'HTTPS_PROXY',
			problem,
		});
	});
});

describe("the same decision as n8n's (proxy-from-env)", () => {
	const NAMES = [
		'http_proxy',
		'HTTP_PROXY',
		'https_proxy',
		'HTTPS_PROXY',
		'all_proxy',
		'ALL_PROXY',
		'no_proxy',
		'NO_PROXY',
		'npm_config_proxy',
		'npm_config_https_proxy',
		'npm_config_http_proxy',
		'npm_config_no_proxy',
	];
	const proxyValue = fc.constantFrom(
		'',
		'http://proxy.corp:3128',
		'https://user:pass@secure.proxy:8443',
		'proxy.corp:8080',
		'socks5://socks:1080',
		'http://[::1]:3128',
	);
	const noProxyEntry = fc.constantFrom(
		'*',
		'ryzeapi.cloud',
		'.ryzeapi.cloud',
		'*.ryzeapi.cloud',
		'apI.RyzeAPI.cloud',
		'zeapi.cloud',
		'127.0.0.1',
		'localhost:3555',
		'ryzeapi.cloud:443',
		'[::1]',
		'example.com',
	);
	const noProxyValue = fc
		.tuple(fc.array(noProxyEntry, { maxLength: 4 }), fc.constantFrom(',', ', ', ' '))
		.map(([entries, separator]) => entries.join(separator));
	const env = fc.record(
		Object.fromEntries(
			NAMES.map((name) => [name, /no_proxy/i.test(name) ? noProxyValue : proxyValue]),
		) as Record<string, fc.Arbitrary<string>>,
		{ requiredKeys: [] },
	);
	const origin = fc
		.tuple(
			fc.constantFrom('http', 'https'),
			fc.constantFrom(
				'ryzeapi.cloud',
				'api.ryzeapi.cloud',
				'myryzeapi.cloud',
				'127.0.0.1',
				'localhost',
				'[::1]',
			),
			fc.constantFrom('', ':80', ':443', ':3555'),
		)
		.map(([scheme, host, port]) => new URL(`${scheme}://${host}${port}`).origin);

	const saved = { ...process.env };
	afterAll(() => {
		for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
		Object.assign(process.env, saved);
	});

	test('for any mix of variables and any target', () => {
		fc.assert(
			fc.property(env, origin, (variables, target) => {
				// proxy-from-env reads process.env: give it exactly these variables.
				for (const name of Object.keys(process.env))
					if (/proxy/i.test(name)) delete process.env[name];
				Object.assign(process.env, variables);
				const theirs = getProxyForUrl(`${target}/`);
				const ours = proxyRoute(target, variables);
				if (theirs === '') {
					expect(ours).toEqual({ kind: 'direct' });
					return;
				}
				let parsed: URL | undefined;
				try {
					parsed = new URL(theirs);
				} catch {
					parsed = undefined;
				}
				if (parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) {
					expect(ours).toMatchObject({ kind: 'proxy', url: parsed.href });
				} else {
					// n8n would fail on it too; this node says which variable is wrong.
					expect(ours.kind).toBe('invalid');
				}
			}),
			{ numRuns: 2000 },
		);
	});
});
