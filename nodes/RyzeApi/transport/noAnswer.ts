/**
 * What went wrong when nothing answered, in words a user can act on: a timeout, a certificate, a
 * proxy, or the network's own error code. Pure.
 */
import type { NoAnswer } from '../shared/interfaces';
import type { ProxyRoute } from '../shared/proxyRoute';

export function unusableProxy(route: Extract<ProxyRoute, { kind: 'invalid' }>): NoAnswer {
	return {
		kind: 'noAnswer',
		failure: 'network',
		detail: route.problem,
		proxy: `set in ${route.variable}`,
	};
}

const TIMEOUT_CODES = new Set([
	'UND_ERR_HEADERS_TIMEOUT',
	'UND_ERR_BODY_TIMEOUT',
	'UND_ERR_CONNECT_TIMEOUT',
]);

/** OpenSSL's verdicts on a certificate chain that does not lead to a trusted CA. */
const UNTRUSTED_CODES = new Set([
	'SELF_SIGNED_CERT_IN_CHAIN',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_UNTRUSTED',
	'CERT_SIGNATURE_FAILURE',
	'CERT_REVOKED',
]);
const EXPIRED_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * What went wrong when nothing answered, from the error undici raised: a timeout, a certificate
 * (untrusted, for another host, expired), a proxy that refused, or the network's own error code.
 * Names the proxy by its scheme, host and port only, never its user or password. Pure.
 */
export function describeFailure(
	error: unknown,
	deadlinePassed: boolean,
	timeoutMs: number,
	route: ProxyRoute = { kind: 'direct' },
): NoAnswer {
	const proxy = route.kind === 'proxy' ? `${route.shown} (from ${route.variable})` : undefined;
	const answer = (
		failure: NoAnswer['failure'],
		detail: string,
		tls?: NoAnswer['tls'],
	): NoAnswer => ({
		kind: 'noAnswer',
		failure,
		detail,
		...(proxy ? { proxy } : {}),
		...(tls ? { tls } : {}),
	});
	const codes = errorCodes(error);
	if (deadlinePassed || codes.some((code) => TIMEOUT_CODES.has(code))) {
		return answer('timeout', `no complete answer within ${timeoutMs} ms`);
	}
	const certificate = codes.find(
		(code) =>
			UNTRUSTED_CODES.has(code) ||
			EXPIRED_CODES.has(code) ||
			code === 'ERR_TLS_CERT_ALTNAME_INVALID',
	);
	if (certificate) {
		const tls = UNTRUSTED_CODES.has(certificate)
			? 'untrusted'
			: EXPIRED_CODES.has(certificate)
				? 'expired'
				: 'hostname';
		return answer('network', certificate, tls);
	}
	const messages = errorMessages(error);
	// undici says so in words only: a refused CONNECT, or a 407 to a forwarded request.
	const refused = messages
		.map((message) =>
			/Proxy response \((\d{3})\) !== 200|Proxy Authentication Required \((407)\)/.exec(message),
		)
		.find((match) => match !== null);
	if (refused) {
		const status = refused[1] ?? refused[2];
		return answer(
			'network',
			status === '407'
				? 'the proxy asks for a user and password (HTTP 407): put them in the proxy URL, http://user:password@host:port'
				: `the proxy refused to connect to RyzeAPI (HTTP ${status})`,
		);
	}
	const innermost = codes[codes.length - 1];
	return answer(
		'network',
		innermost ?? withoutUserInfo(messages[0] || 'no details from the network stack'),
	);
}

/** A URL's user:password@ could appear in a library's message: never repeat it. */
function withoutUserInfo(text: string): string {
	return text.replace(/\/\/[^/@\s]*@/g, '//');
}

function errorMessages(error: unknown): string[] {
	const messages: string[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
		const message = (current as { message?: unknown }).message;
		if (typeof message === 'string' && message !== '') messages.push(message);
		current = (current as { cause?: unknown }).cause;
	}
	if (messages.length === 0 && typeof error === 'string') messages.push(error);
	return messages;
}

/** Error codes from the outside in: undici wraps socket errors, whose cause has the errno code. */
function errorCodes(error: unknown): string[] {
	const codes: string[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string') codes.push(code);
		current = (current as { cause?: unknown }).cause;
	}
	return codes;
}
