/**
 * When nothing answers: which failure undici's error means (describeFailure) and what the user is
 * told (describeNoAnswer), for an item and for the credential's Test button. Errors are built as
 * undici and Node raise them; the real ones are met in proxy.test.ts and privateCa.test.ts.
 */
import fc from 'fast-check';

import { classifyAnswer, describeNoAnswer } from '../../nodes/RyzeApi/shared/classifyAnswer';
import { credentialTestVerdict } from '../../nodes/RyzeApi/shared/credentialCheck';
import { JOIN_ANSWER } from '../../nodes/RyzeApi/shared/groupAnswers';
import type { ProxyRoute } from '../../nodes/RyzeApi/shared/proxyRoute';
import { proxyRoute } from '../../nodes/RyzeApi/shared/proxyRoute';
import { describeFailure } from '../../nodes/RyzeApi/transport/noAnswer';

const PROXY: ProxyRoute = {
	kind: 'proxy',
	url: 'http://me:secret@proxy.corp:3128/',
	shown: 'http://proxy.corp:3128',
	variable: 'HTTPS_PROXY',
};

function errorWith(code: string | undefined, message: string, cause?: unknown): Error {
	return Object.assign(new Error(message), { code, cause });
}

describe('describeFailure', () => {
	test.each<[string, unknown, boolean, object]>([
		[
			'a refused connection',
			errorWith('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
			false,
			{ failure: 'network', detail: 'ECONNREFUSED' },
		],
		[
			'the deadline',
			errorWith('UND_ERR_ABORTED', 'aborted'),
			true,
			{ failure: 'timeout', detail: 'no complete answer within 5000 ms' },
		],
		[
			'a certificate from an unknown CA, wrapped',
			errorWith('UND_ERR_SOCKET', 'other side closed', {
				code: 'SELF_SIGNED_CERT_IN_CHAIN',
				message: 'self-signed certificate in certificate chain',
			}),
			false,
			{ failure: 'network', detail: 'SELF_SIGNED_CERT_IN_CHAIN', tls: 'untrusted' },
		],
		[
			'a leaf certificate that cannot be verified',
			errorWith('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
			false,
			{ failure: 'network', detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', tls: 'untrusted' },
		],
		[
			'a certificate for another host',
			errorWith(
				'ERR_TLS_CERT_ALTNAME_INVALID',
				"Hostname/IP does not match certificate's altnames",
			),
			false,
			{ failure: 'network', detail: 'ERR_TLS_CERT_ALTNAME_INVALID', tls: 'hostname' },
		],
		[
			'an expired certificate',
			errorWith('CERT_HAS_EXPIRED', 'certificate has expired'),
			false,
			{ failure: 'network', detail: 'CERT_HAS_EXPIRED', tls: 'expired' },
		],
	])('%s', (_name, error, deadlinePassed, expected) => {
		expect(describeFailure(error, deadlinePassed, 5_000)).toEqual({
			kind: 'noAnswer',
			...expected,
		});
	});

	test('through a proxy, the proxy is named by scheme, host and port, and a refused tunnel says so', () => {
		expect(
			describeFailure(
				errorWith('UND_ERR_ABORTED', 'Proxy response (403) !== 200 when HTTP Tunneling'),
				false,
				5_000,
				PROXY,
			),
		).toEqual({
			kind: 'noAnswer',
			failure: 'network',
			detail: 'the proxy refused to connect to RyzeAPI (HTTP 403)',
			proxy: 'http://proxy.corp:3128 (from HTTPS_PROXY)',
		});
		expect(
			describeFailure(
				errorWith('UND_ERR_INVALID_ARG', 'Proxy Authentication Required (407)'),
				false,
				5_000,
				PROXY,
			).detail,
		).toMatch(/asks for a user and password \(HTTP 407\)/);
	});

	test('a message without a code is repeated without any user:password@ it holds', () => {
		expect(
			describeFailure(new Error('cannot use http://me:secret@proxy.corp:3128'), false, 1, PROXY)
				.detail,
		).toBe('cannot use http://proxy.corp:3128');
	});

	test("no message an item or the Test button shows ever holds the proxy's password", () => {
		const password = fc
			.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=-]{6,30}$/)
			.filter((value) => !/^[.]+$/.test(value));
		const error = fc.constantFrom(
			(url: string) => errorWith('ECONNREFUSED', `connect ECONNREFUSED via ${url}`),
			(url: string) => errorWith(undefined, `Proxy ${url} failed`),
			(url: string) =>
				errorWith(undefined, 'Proxy response (407) !== 200 when HTTP Tunneling', url),
			(url: string) => new Error(`bad proxy ${url}`),
		);
		fc.assert(
			fc.property(password, error, fc.boolean(), (secret, makeError, https) => {
				const variable = https ? 'HTTPS_PROXY' : 'HTTP_PROXY';
				const route = proxyRoute(https ? 'https://ryzeapi.cloud' : 'http://ryzeapi.local', {
					[variable]: `http://n8n:${secret}@proxy.corp:3128`,
				});
				expect(route.kind).toBe('proxy');
				if (route.kind !== 'proxy') return;
				const answer = describeFailure(makeError(route.url), false, 1_000, route);
				const texts = [
					classifyAnswer(answer, 1_000, JOIN_ANSWER),
					credentialTestVerdict(answer, { origin: 'https://ryzeapi.cloud', instance: 'main' }),
				].map((value) => JSON.stringify(value));
				for (const text of texts) {
					expect(text).not.toContain(secret);
					expect(text).toContain('http://proxy.corp:3128');
				}
			}),
			{ numRuns: 300 },
		);
	});
});

describe('describeNoAnswer', () => {
	test('an untrusted certificate: what to set, for an item and the Test button', () => {
		const answer = {
			kind: 'noAnswer' as const,
			failure: 'network' as const,
			detail: 'SELF_SIGNED_CERT_IN_CHAIN',
			tls: 'untrusted' as const,
		};
		expect(describeNoAnswer(answer)).toBe(
			'The TLS certificate of RyzeAPI is not trusted (SELF_SIGNED_CERT_IN_CHAIN): it is not signed by a CA this n8n knows. ' +
				"If the server uses a private CA, start n8n with NODE_EXTRA_CA_CERTS set to the path of that CA's certificate (a PEM file), then restart n8n. " +
				'Certificate checks are never turned off.',
		);
		expect(describeNoAnswer(answer, 'https://ryzeapi.example')).toMatch(
			/^The TLS certificate of RyzeAPI at https:\/\/ryzeapi\.example is not trusted/,
		);
	});

	test('without a proxy or a certificate problem, the words stay as they were', () => {
		const answer = { kind: 'noAnswer' as const, failure: 'network' as const, detail: 'ENOTFOUND' };
		expect(describeNoAnswer(answer)).toBe('Could not reach RyzeAPI (ENOTFOUND).');
		expect(describeNoAnswer(answer, 'https://x.example')).toBe(
			'Could not reach RyzeAPI at https://x.example (ENOTFOUND). Check the Base URL.',
		);
	});

	test('an untrusted certificate is not retried (it stays untrusted until n8n restarts); a refused connection is', () => {
		const untrusted = describeFailure(errorWith('SELF_SIGNED_CERT_IN_CHAIN', 'x'), false, 1);
		const refused = describeFailure(errorWith('ECONNREFUSED', 'x'), false, 1, PROXY);
		expect(classifyAnswer(untrusted, 1_000, JOIN_ANSWER).transient).toBeUndefined();
		expect(classifyAnswer(refused, 1_000, JOIN_ANSWER).transient).toEqual({
			kind: 'noAnswer',
			timeout: false,
		});
	});

	test('a timeout through a proxy names it', () => {
		expect(
			describeNoAnswer({
				kind: 'noAnswer',
				failure: 'timeout',
				detail: 'no complete answer within 30000 ms',
				proxy: 'http://proxy.corp:3128 (from HTTPS_PROXY)',
			}),
		).toBe(
			'RyzeAPI did not answer in time through the proxy http://proxy.corp:3128 (from HTTPS_PROXY) (no complete answer within 30000 ms).',
		);
	});
});
