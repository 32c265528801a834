/**
 * The credential checks and the request paths built from them: base URL, token, instance name,
 * and the encoding that keeps an instance name one path segment.
 */
import fc from 'fast-check';

import { DEFAULT_BASE_URL, RyzeApi } from '../../credentials/RyzeApi.credentials';
import type { CredentialFields } from '../../nodes/RyzeApi/shared/connection';
import { apiRoutePath, resolveConnection } from '../../nodes/RyzeApi/shared/connection';

const TOKEN = 'SECRET-TOKEN-123';
const GOOD: CredentialFields = {
	baseUrl: 'https://ryzeapi.cloud',
	instanceName: 'main',
	token: TOKEN,
};

/** How the credential's base URL is read: the origin and path prefix of its connection, or the refusal. */
function parseBaseUrl(
	baseUrl: unknown,
): { ok: true; value: { origin: string; basePath: string } } | { ok: false; message: string } {
	const result = resolveConnection({ baseUrl, instanceName: 'main', token: TOKEN });
	if (!result.ok) return result;
	return { ok: true, value: { origin: result.value.origin, basePath: result.value.basePath } };
}

/** The path segment an instance name becomes in a route's path. */
function encodePathSegment(instance: string): string {
	return apiRoutePath({ basePath: '', instance }, { route: 'join' }).slice(
		'/api/group/join/'.length,
	);
}

function messageOf(result: { ok: true } | { ok: false; message: string }): string {
	if (result.ok) throw new Error('expected the check to fail');
	return result.message;
}

/** An error message shown to the user: a sentence, and never the token or any piece of it. */
function expectSafeMessage(message: string): void {
	expect(message.trim()).not.toBe('');
	expect(message).toMatch(/^[A-Z]/);
	expect(message).toMatch(/\.$/);
	expect(message).not.toContain(TOKEN);
	expect(message).not.toContain('SECRET');
	expect(message).not.toContain('TOKEN-123');
}

describe('the base URL', () => {
	it.each([
		['undefined', undefined, 'https://ryzeapi.cloud', ''],
		['null', null, 'https://ryzeapi.cloud', ''],
		['empty', '', 'https://ryzeapi.cloud', ''],
		['blank', '  \n ', 'https://ryzeapi.cloud', ''],
		['not a string', 42, 'https://ryzeapi.cloud', ''],
		['the default', 'https://ryzeapi.cloud', 'https://ryzeapi.cloud', ''],
		['the default with a trailing slash', 'https://ryzeapi.cloud/', 'https://ryzeapi.cloud', ''],
		['surrounding spaces', '  https://ryzeapi.cloud/  ', 'https://ryzeapi.cloud', ''],
		['http with a port', 'http://localhost:3000', 'http://localhost:3000', ''],
		['http with a port and slash', 'http://127.0.0.1:8080/', 'http://127.0.0.1:8080', ''],
		['IPv6 host', 'http://[::1]:3000/', 'http://[::1]:3000', ''],
		[
			'upper case scheme and host, default port',
			'HTTPS://Proxy.Example:443/ryze',
			'https://proxy.example',
			'/ryze',
		],
		[
			'path prefix with a trailing slash',
			'https://proxy.example/ryze/',
			'https://proxy.example',
			'/ryze',
		],
		[
			'path prefix without a trailing slash',
			'https://proxy.example/ryze',
			'https://proxy.example',
			'/ryze',
		],
		[
			'deeper path prefix, several slashes',
			'https://proxy.example/a/b//',
			'https://proxy.example',
			'/a/b',
		],
		[
			'dot segments are resolved',
			'https://proxy.example/a/../ryze/./',
			'https://proxy.example',
			'/ryze',
		],
		['only slashes', 'https://proxy.example//', 'https://proxy.example', ''],
		[
			'pasted with /api (routes already live under /api)',
			'https://ryzeapi.cloud/api',
			'https://ryzeapi.cloud',
			'',
		],
		['pasted with /api/', 'https://ryzeapi.cloud/API/', 'https://ryzeapi.cloud', ''],
		['a prefix ending in /api', 'https://proxy.example/ryze/api', 'https://proxy.example', '/ryze'],
		[
			'a prefix that only contains api',
			'https://proxy.example/apis',
			'https://proxy.example',
			'/apis',
		],
	])('%s', (_label, raw, origin, basePath) => {
		expect(parseBaseUrl(raw)).toEqual({ ok: true, value: { origin, basePath } });
	});

	it("falls back to the documented default, the credential's own", () => {
		expect(DEFAULT_BASE_URL).toBe('https://ryzeapi.cloud');
		const field = new RyzeApi().properties.find((property) => property.name === 'baseUrl');
		expect(field?.default).toBe(DEFAULT_BASE_URL);
	});

	it.each([
		['no scheme', 'ryzeapi.cloud', /not a URL/],
		['scheme only', 'https://', /not a URL/],
		['space in the host', 'https://ryze api.cloud', /not a URL/],
		['host:port without a scheme', 'localhost:3000', /must start with https:\/\//],
		['ftp', 'ftp://ryzeapi.cloud', /must start with https:\/\//],
		['file', 'file:///etc/passwd', /must start with https:\/\//],
		['websocket', 'wss://ryzeapi.cloud', /must start with https:\/\//],
		['javascript', 'javascript:alert(1)', /must start with https:\/\//],
		['user and password', `https://user:${TOKEN}@ryzeapi.cloud`, /user name or password/],
		['user only', `https://${TOKEN}@ryzeapi.cloud/`, /user name or password/],
		['password only', `https://:${TOKEN}@ryzeapi.cloud/`, /user name or password/],
		['query', `https://ryzeapi.cloud/?token=${TOKEN}`, /query \(\?\) or fragment/],
		['empty query', 'https://ryzeapi.cloud/?', /query \(\?\) or fragment/],
		['fragment', `https://ryzeapi.cloud/#${TOKEN}`, /query \(\?\) or fragment/],
		['empty fragment', 'https://ryzeapi.cloud#', /query \(\?\) or fragment/],
	])('refuses %s', (_label, raw, pattern) => {
		const message = messageOf(parseBaseUrl(raw));
		expect(message).toMatch(pattern);
		expect(message).toMatch(/base URL/);
		expectSafeMessage(message);
	});
});

describe('resolveConnection', () => {
	it('builds a connection from the credential', () => {
		const result = resolveConnection({
			baseUrl: 'https://proxy.example/ryze/',
			instanceName: ' main ',
			token: `  ${TOKEN} \n`,
		});
		expect(result).toEqual({
			ok: true,
			value: { origin: 'https://proxy.example', basePath: '/ryze', instance: 'main', token: TOKEN },
		});
	});

	it('uses the default base URL when the credential has none', () => {
		expect(resolveConnection({ instanceName: 'main', token: TOKEN })).toEqual({
			ok: true,
			value: { origin: 'https://ryzeapi.cloud', basePath: '', instance: 'main', token: TOKEN },
		});
	});

	it.each([
		['a name', 'other', 'other'],
		['a padded name', '  other \t', 'other'],
		['a number', 7, '7'],
	])('prefers the override when it is %s', (_label, override, instance) => {
		const result = resolveConnection(GOOD, override);
		expect(result.ok && result.value.instance).toBe(instance);
	});

	it.each([
		['undefined', undefined],
		['null', null],
		['empty', ''],
		['blank', '  \n\t'],
	])('falls back to the credential when the override is %s', (_label, override) => {
		const result = resolveConnection(GOOD, override);
		expect(result.ok && result.value.instance).toBe('main');
	});

	it('accepts a token of any visible ASCII characters', () => {
		const token = '!"#$%&\'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~';
		const result = resolveConnection({ ...GOOD, token });
		expect(result.ok && result.value.token).toBe(token);
	});

	const failures: Array<[string, CredentialFields, unknown, RegExp]> = [
		['no token', { ...GOOD, token: undefined }, undefined, /no token/],
		['an empty token', { ...GOOD, token: '' }, undefined, /no token/],
		['a blank token', { ...GOOD, token: ' \n\t ' }, undefined, /no token/],
		['a token that is not a string', { ...GOOD, token: 123 }, undefined, /no token/],
		[
			'a token with a space',
			{ ...GOOD, token: 'SECRET TOKEN-123' },
			undefined,
			/spaces, line breaks or non-ASCII/,
		],
		[
			'a Bearer prefix',
			{ ...GOOD, token: `Bearer ${TOKEN}` },
			undefined,
			/spaces, line breaks or non-ASCII/,
		],
		[
			'a token with a line break',
			{ ...GOOD, token: `${TOKEN}\nX` },
			undefined,
			/spaces, line breaks or non-ASCII/,
		],
		[
			'a token with CR LF',
			{ ...GOOD, token: `${TOKEN}\r\nX-Injected: 1` },
			undefined,
			/spaces, line breaks or non-ASCII/,
		],
		[
			'a token with a tab',
			{ ...GOOD, token: `${TOKEN}\tX` },
			undefined,
			/spaces, line breaks or non-ASCII/,
		],
		[
			'a token with an accent',
			{ ...GOOD, token: `${TOKEN}é` },
			undefined,
			/spaces, line breaks or non-ASCII/,
		],
		[
			'a token with a zero-width space',
			{ ...GOOD, token: `${TOKEN}\u200BX` },
			undefined,
			/spaces, line breaks or non-ASCII/,
		],
		[
			'a token with a no-break space',
			{ ...GOOD, token: `SECRET\u00A0TOKEN-123` },
			undefined,
			/spaces, line breaks or non-ASCII/,
		],
		[
			'a token with a NUL',
			{ ...GOOD, token: `${TOKEN}\u0000` },
			undefined,
			/spaces, line breaks or non-ASCII/,
		],
		[
			'a token with DEL',
			{ ...GOOD, token: `${TOKEN}\u007F` },
			undefined,
			/spaces, line breaks or non-ASCII/,
		],
		[
			'a bad base URL',
			{ ...GOOD, baseUrl: 'ftp://ryzeapi.cloud' },
			undefined,
			/must start with https/,
		],
		[
			'a base URL carrying the token',
			{ ...GOOD, baseUrl: `https://u:${TOKEN}@ryzeapi.cloud` },
			undefined,
			/user name or password/,
		],
		[
			'a base URL with the token in its query',
			{ ...GOOD, baseUrl: `https://ryzeapi.cloud/?token=${TOKEN}` },
			undefined,
			/query/,
		],
		['no instance', { ...GOOD, instanceName: undefined }, undefined, /No instance name/],
		['an empty instance', { ...GOOD, instanceName: '' }, undefined, /No instance name/],
		['a blank instance', { ...GOOD, instanceName: '   ' }, '  ', /No instance name/],
		[
			'an instance that is an object',
			{ ...GOOD, instanceName: { name: 'main' } },
			undefined,
			/No instance name/,
		],
		['an override that is an object', GOOD, { name: 'main' }, /No instance name/],
		[
			'an instance over 256 characters',
			{ ...GOOD, instanceName: 'a'.repeat(257) },
			undefined,
			/credential is longer than 256/,
		],
		[
			'an override over 256 characters',
			GOOD,
			'a'.repeat(257),
			/Instance Name option is longer than 256/,
		],
		[
			'an instance with a NUL',
			{ ...GOOD, instanceName: 'ma\u0000in' },
			undefined,
			/control characters/,
		],
		[
			'an instance with a line break inside',
			{ ...GOOD, instanceName: 'ma\nin' },
			undefined,
			/control characters/,
		],
		[
			'an instance with DEL',
			{ ...GOOD, instanceName: 'ma\u007Fin' },
			undefined,
			/control characters/,
		],
		['an override with a CR', GOOD, 'ma\rin', /Instance Name option contains control characters/],
		[
			'an instance with a lone high surrogate',
			{ ...GOOD, instanceName: 'main\uD800' },
			undefined,
			/lone UTF-16 surrogate/,
		],
		[
			'an instance with a lone low surrogate',
			{ ...GOOD, instanceName: '\uDC00main' },
			undefined,
			/lone UTF-16 surrogate/,
		],
		[
			'an override with reversed surrogates',
			GOOD,
			'\uDE00\uD83D',
			/Instance Name option contains an invalid character/,
		],
	];

	it.each(failures)(
		'refuses %s without showing the token',
		(_label, credentials, override, pattern) => {
			const message = messageOf(resolveConnection(credentials, override));
			expect(message).toMatch(pattern);
			expectSafeMessage(message);
		},
	);

	it('accepts 256 characters and a well-formed emoji', () => {
		expect(resolveConnection({ ...GOOD, instanceName: 'a'.repeat(256) }).ok).toBe(true);
		const result = resolveConnection({ ...GOOD, instanceName: 'team \uD83D\uDE00' });
		expect(result.ok && apiRoutePath(result.value, { route: 'join' })).toBe(
			'/api/group/join/team%20%F0%9F%98%80',
		);
	});
});

describe('the instance name as a path segment, apiRoutePath', () => {
	it.each([
		['main', 'main'],
		['my-instance_01', 'my-instance_01'],
		['.', '%2E'],
		['..', '%2E%2E'],
		['...', '%2E%2E%2E'],
		['a.b', 'a.b'],
		['.hidden', '.hidden'],
		['a/b', 'a%2Fb'],
		['../admin', '..%2Fadmin'],
		['x y', 'x%20y'],
		['a?b=1', 'a%3Fb%3D1'],
		['a#b', 'a%23b'],
		['100%', '100%25'],
		['%2E%2E', '%252E%252E'],
		['a\\b', 'a%5Cb'],
		['a;b', 'a%3Bb'],
		['a&b+c', 'a%26b%2Bc'],
		['ção', '%C3%A7%C3%A3o'],
	])('%j -> %j', (instance, segment) => {
		expect(encodePathSegment(instance)).toBe(segment);
		expect(apiRoutePath({ basePath: '', instance }, { route: 'join' })).toBe(
			`/api/group/join/${segment}`,
		);
		expect(apiRoutePath({ basePath: '', instance }, { route: 'list' })).toBe(
			`/api/group/list/${segment}`,
		);
		expect(apiRoutePath({ basePath: '/ryze', instance }, { route: 'join' })).toBe(
			`/ryze/api/group/join/${segment}`,
		);
		expect(apiRoutePath({ basePath: '/ryze', instance }, { route: 'list' })).toBe(
			`/ryze/api/group/list/${segment}`,
		);
	});

	it.each([
		['https://ryzeapi.cloud', ' .. ', '/api/group/join/%2E%2E', '/api/group/list/%2E%2E'],
		[
			'https://proxy.example/ryze/',
			'a/b',
			'/ryze/api/group/join/a%2Fb',
			'/ryze/api/group/list/a%2Fb',
		],
		['http://localhost:3000/x/y', 'x y', '/x/y/api/group/join/x%20y', '/x/y/api/group/list/x%20y'],
		[
			'https://proxy.example/ryze',
			'../../admin?x#y',
			'/ryze/api/group/join/..%2F..%2Fadmin%3Fx%23y',
			'/ryze/api/group/list/..%2F..%2Fadmin%3Fx%23y',
		],
	])('from the credential %s with instance %j', (baseUrl, instanceName, join, list) => {
		const result = resolveConnection({ baseUrl, instanceName, token: TOKEN });
		if (!result.ok) throw new Error(result.message);
		expect(apiRoutePath(result.value, { route: 'join' })).toBe(join);
		expect(apiRoutePath(result.value, { route: 'list' })).toBe(list);
	});
});

describe('apiRoutePath, the events area', () => {
	it('builds the webhook routes under /api/events/, the group routes unchanged', () => {
		const connection = { basePath: '/ryze', instance: 'a/b' };
		expect(apiRoutePath(connection, { area: 'events', route: 'webhook' })).toBe(
			'/ryze/api/events/webhook/a%2Fb',
		);
		expect(
			apiRoutePath(connection, {
				area: 'events',
				route: 'getWebhook',
				query: { label: 'n8n-x y' },
			}),
		).toBe('/ryze/api/events/getWebhook/a%2Fb?label=n8n-x+y');
		expect(apiRoutePath(connection, { area: 'group', route: 'join' })).toBe(
			apiRoutePath(connection, { route: 'join' }),
		);
	});
});

describe('properties', () => {
	const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
	const tricky = fc.constantFrom('.', '/', '?', '#', '%', ' ', 'a', '\\', '\uD83D\uDE00');
	const wellFormed = fc.oneof(
		fc.string({ minLength: 1 }),
		fc.string({ unit: 'binary', minLength: 1 }),
		fc.string({ unit: tricky, minLength: 1 }),
		fc.string({ unit: fc.constant('.'), minLength: 1, maxLength: 4 }),
	);

	it('keeps any well-formed name one segment that decodes back to it', () => {
		fc.assert(
			fc.property(wellFormed, (s) => {
				const encoded = encodePathSegment(s);
				expect(encoded).not.toMatch(/[/?#]/);
				expect(encoded).not.toBe('.');
				expect(encoded).not.toBe('..');
				expect(encoded).not.toMatch(/^\.+$/);
				expect(decodeURIComponent(encoded)).toBe(s);
				const path = apiRoutePath({ basePath: '/ryze', instance: s }, { route: 'join' });
				expect(path.startsWith('/ryze/api/group/join/')).toBe(true);
				expect(path.slice('/ryze/api/group/join/'.length)).toBe(encoded);
			}),
			{ numRuns: 500, seed: 20240611 },
		);
	});

	it('never throws on any instance name and, once accepted, builds the paths', () => {
		const anyName = fc.oneof(
			fc.string({ unit: codeUnit }),
			fc.string({ unit: 'binary' }),
			fc.string({ unit: tricky }),
		);
		fc.assert(
			fc.property(anyName, fc.option(anyName, { nil: undefined }), (name, override) => {
				const result = resolveConnection({ ...GOOD, instanceName: name }, override);
				if (!result.ok) {
					expectSafeMessage(result.message);
					return;
				}
				expect(result.value.instance).toBe(result.value.instance.trim());
				expect(result.value.instance).not.toBe('');
				expect(
					decodeURIComponent(
						apiRoutePath(result.value, { route: 'join' }).slice('/api/group/join/'.length),
					),
				).toBe(result.value.instance);
				expect(() => apiRoutePath(result.value, { route: 'list' })).not.toThrow();
			}),
			{ numRuns: 500, seed: 20240612 },
		);
	});

	it('never shows the token in an error, whatever the token is', () => {
		fc.assert(
			fc.property(
				fc.string({ unit: codeUnit }),
				fc.string({ unit: codeUnit }),
				fc.boolean(),
				(before, after, badUrl) => {
					const token = `${before}${TOKEN}${after}`;
					const result = resolveConnection({
						...GOOD,
						baseUrl: badUrl ? `ftp://${token}` : GOOD.baseUrl,
						token,
					});
					if (result.ok) {
						expect(result.value.token).toBe(token.trim());
						expect(result.value.token).toMatch(/^[\x21-\x7E]+$/);
					} else {
						expectSafeMessage(result.message);
					}
				},
			),
			{ numRuns: 500, seed: 20240613 },
		);
	});
});
