/**
 * classifyAnswer: every documented answer of POST /api/group/join, the answers something in front
 * of the API can produce, whether another try may do better (its transient reason), and a
 * property that no answer makes it throw.
 */
import fc from 'fast-check';

import { classifyAnswer } from '../../nodes/RyzeApi/shared/classifyAnswer';
import type { JoinSuccess } from '../../nodes/RyzeApi/shared/groupAnswers';
import { JOIN_ANSWER } from '../../nodes/RyzeApi/shared/groupAnswers';
import type {
	ErrorReason,
	Failure as JoinFailure,
	Outcome,
	RawAnswer,
} from '../../nodes/RyzeApi/shared/interfaces';
import { ERROR_REASONS } from '../../nodes/RyzeApi/shared/interfaces';

const LIMIT = 64 * 1024;

/** The outcome of a join answer, as the node reads it. */
function classifyJoin(answer: RawAnswer, bodyLimitBytes: number): Outcome<JoinSuccess> {
	return classifyAnswer(answer, bodyLimitBytes, JOIN_ANSWER).outcome;
}
const SECRET = 'SECRET-TOKEN-123';
const JID = '120363406289005073@g.us';
const RATE_HEADERS = {
	'x-ratelimit-limit': '100',
	'x-ratelimit-remaining': '0',
	'x-ratelimit-reset': '1767225600',
};

function http(
	status: number,
	body: string,
	headers: Record<string, string | undefined> = {},
	bodyTooLarge = false,
): RawAnswer {
	return { kind: 'http', status, headers, body, bodyTooLarge };
}

function json(
	status: number,
	value: unknown,
	headers: Record<string, string | undefined> = {},
): RawAnswer {
	return http(status, JSON.stringify(value), {
		'content-type': 'application/json; charset=utf-8',
		...headers,
	});
}

function apiError(
	status: number,
	message: string,
	headers: Record<string, string | undefined> = {},
): RawAnswer {
	return json(status, { success: false, error: { message } }, headers);
}

function failureOf(outcome: Outcome<JoinSuccess>): JoinFailure {
	if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
	return outcome.failure;
}

/** A message the node writes itself: a non-empty sentence. */
function expectSentence(message: string): void {
	expect(message.trim()).not.toBe('');
	expect(message).toMatch(/^[A-Z]/);
	expect(message).toMatch(/\.$/);
}

describe('classifyAnswer: success', () => {
	it.each([
		['joined (200)', 200, false, 'Successfully joined the group', 'joined'],
		[
			'pending approval (200)',
			200,
			true,
			'Join request sent successfully. Waiting for admin approval.',
			'pending_approval',
		],
		['joined (201)', 201, false, 'Successfully joined the group', 'joined'],
		[
			'pending approval (202)',
			202,
			true,
			'Join request sent successfully. Waiting for admin approval.',
			'pending_approval',
		],
	] as const)('%s', (_label, status, requiresApproval, message, expected) => {
		const outcome = classifyJoin(
			json(status, { success: true, message, groupJid: JID, requiresApproval }, RATE_HEADERS),
			LIMIT,
		);
		expect(outcome).toEqual({
			ok: true,
			value: { status: expected, groupJid: JID, requiresApproval, message },
		});
	});

	it('treats a missing requiresApproval as joined', () => {
		const outcome = classifyJoin(json(200, { success: true, message: 'ok', groupJid: JID }), LIMIT);
		expect(outcome).toEqual({
			ok: true,
			value: { status: 'joined', groupJid: JID, requiresApproval: false, message: 'ok' },
		});
	});

	it('keeps an empty message when the API sends none', () => {
		const outcome = classifyJoin(
			json(200, { success: true, groupJid: JID, requiresApproval: false }),
			LIMIT,
		);
		expect(outcome).toEqual({
			ok: true,
			value: { status: 'joined', groupJid: JID, requiresApproval: false, message: '' },
		});
	});

	it('does not read a non-boolean requiresApproval as true', () => {
		const outcome = classifyJoin(
			json(200, { success: true, message: 'm', groupJid: JID, requiresApproval: 'yes' }),
			LIMIT,
		);
		expect(outcome.ok && outcome.value.status).toBe('joined');
	});
});

describe('classifyAnswer: documented API errors keep the API message', () => {
	const cases: Array<[string, RawAnswer, ErrorReason, string]> = [
		// The join route's own table.
		[
			'400 invalid code',
			apiError(400, 'Invalid invite link or code'),
			'invalid_code',
			'Invalid invite link or code',
		],
		[
			'400 revoked',
			apiError(400, 'Invite link has been revoked or expired'),
			'revoked_or_expired',
			'Invite link has been revoked or expired',
		],
		[
			'403 not allowed',
			apiError(403, 'Not allowed to join this group'),
			'not_allowed',
			'Not allowed to join this group',
		],
		['404 group not found', apiError(404, 'Group not found'), 'group_not_found', 'Group not found'],
		// Token refused.
		[
			'401 Missing token in header',
			apiError(401, 'Missing token in header'),
			'unauthorized',
			'Missing token in header',
		],
		['401 Missing token', apiError(401, 'Missing token'), 'unauthorized', 'Missing token'],
		['401 Invalid token', apiError(401, 'Invalid token'), 'unauthorized', 'Invalid token'],
		[
			'401 Invalid instance token',
			apiError(401, 'Invalid instance token'),
			'unauthorized',
			'Invalid instance token',
		],
		[
			'401 Invalid account token',
			apiError(401, 'Invalid account token'),
			'unauthorized',
			'Invalid account token',
		],
		['401 Unauthenticated', apiError(401, 'Unauthenticated'), 'unauthorized', 'Unauthenticated'],
		[
			'403 token does not own the instance',
			apiError(403, 'Token does not have access to this instance'),
			'unauthorized',
			'Token does not have access to this instance',
		],
		[
			'403 instance belongs to another account',
			apiError(403, 'Instance belongs to another account'),
			'unauthorized',
			'Instance belongs to another account',
		],
		['403 other forbidden text', apiError(403, 'Forbidden'), 'not_allowed', 'Forbidden'],
		// Instance not usable.
		[
			'400 Instance disconnected',
			apiError(400, 'Instance disconnected'),
			'instance_unavailable',
			'Instance disconnected',
		],
		[
			'503 Instance not connected',
			apiError(503, 'Instance not connected'),
			'instance_unavailable',
			'Instance not connected',
		],
		[
			'503 Bridge not configured',
			apiError(503, 'Bridge not configured'),
			'instance_unavailable',
			'Bridge not configured',
		],
		[
			'404 Instance not found',
			apiError(404, 'Instance not found'),
			'instance_unavailable',
			'Instance not found',
		],
		// Rate limit, with and without the X-RateLimit-* headers, and WhatsApp throttling.
		[
			'429 with headers',
			apiError(429, 'Rate limit exceeded. Try again later.', RATE_HEADERS),
			'rate_limited',
			'Rate limit exceeded. Try again later.',
		],
		[
			'429 with Retry-After',
			apiError(429, 'Rate limit exceeded. Try again later.', {
				...RATE_HEADERS,
				'retry-after': '7',
			}),
			'rate_limited',
			'Rate limit exceeded. Try again later.',
		],
		[
			'429 without headers',
			apiError(429, 'Rate limit exceeded. Try again later.'),
			'rate_limited',
			'Rate limit exceeded. Try again later.',
		],
		[
			'429 WhatsApp throttling',
			apiError(429, 'Too many requests to WhatsApp, slow down', {
				...RATE_HEADERS,
				'x-ratelimit-remaining': '57',
			}),
			'rate_limited',
			'Too many requests to WhatsApp, slow down',
		],
		// Server side.
		[
			'500 internal',
			apiError(500, 'Internal server error'),
			'server_error',
			'Internal server error',
		],
		['501 not supported', apiError(501, 'Not supported'), 'server_error', 'Not supported'],
		['502 JSON envelope', apiError(502, 'Bad gateway'), 'server_error', 'Bad gateway'],
		[
			'504 JSON envelope',
			apiError(504, 'Upstream timed out'),
			'server_error',
			'Upstream timed out',
		],
		['409 conflict', apiError(409, 'Conflict'), 'server_error', 'Conflict'],
		// The API message is trimmed, and other spellings of the envelope are read too.
		[
			'message with spaces around it',
			apiError(404, '  Group not found \n'),
			'group_not_found',
			'Group not found',
		],
		[
			'error as a plain string',
			json(401, { success: false, error: 'Missing token' }),
			'unauthorized',
			'Missing token',
		],
		[
			'success:false with a top-level message',
			json(404, { success: false, message: 'Group not found' }),
			'group_not_found',
			'Group not found',
		],
		// A 2xx that says success:false is not a success.
		[
			'200 with success:false and an error',
			apiError(200, 'Invite link has been revoked or expired'),
			'revoked_or_expired',
			'Invite link has been revoked or expired',
		],
	];

	it.each(cases)('%s', (_label, answer, reason, message) => {
		const failure = failureOf(classifyJoin(answer, LIMIT));
		expect(failure).toEqual({ reason, message, httpStatus: (answer as { status: number }).status });
	});
});

describe('classifyAnswer: answers without the API JSON envelope', () => {
	const html502 = '<html><body><h1>502 Bad Gateway</h1></body></html>';
	const cases: Array<[string, RawAnswer, ErrorReason, RegExp[]]> = [
		[
			'HTML 502 page',
			http(502, html502, { 'content-type': 'text/html' }),
			'server_error',
			[/HTTP 502/, /not JSON/, /text\/html/, /proxy/],
		],
		[
			'HTML 503 page',
			http(503, '<h1>Service Unavailable</h1>', { 'content-type': 'text/html; charset=utf-8' }),
			'server_error',
			[/HTTP 503/, /not JSON \(text\/html\)/],
		],
		[
			'empty 500',
			http(500, '', { 'content-type': 'application/json' }),
			'server_error',
			[/HTTP 500/, /empty body/],
		],
		['empty 503', http(503, ''), 'server_error', [/HTTP 503/, /empty body/]],
		['whitespace-only 502', http(502, ' \r\n'), 'server_error', [/empty body/]],
		[
			'malformed JSON 200',
			http(200, '{success: true,, "groupJid": }', { 'content-type': 'application/json' }),
			'server_error',
			[/HTTP 200/, /not JSON/],
		],
		[
			'truncated JSON 200',
			http(200, '{"success":true,"message":"Successfully jo'),
			'server_error',
			[/HTTP 200/, /not JSON/],
		],
		[
			'truncated JSON 500',
			http(500, '{"success":false,"error":{"mess'),
			'server_error',
			[/HTTP 500/, /not JSON/],
		],
		[
			'HTML 400',
			http(400, '<html>Bad Request</html>', { 'content-type': 'text/html' }),
			'server_error',
			[/HTTP 400/, /not JSON/],
		],
		[
			'HTML 403 (a firewall)',
			http(403, '<html>Access denied</html>', { 'content-type': 'text/html' }),
			'server_error',
			[/\b403\b/, /not JSON/],
		],
		[
			'HTML 404 (wrong base URL)',
			http(404, 'Cannot POST /x/api/group/join/main', { 'content-type': 'text/html' }),
			'server_error',
			[/\b404\b/, /not JSON/, /Base URL/],
		],
		['empty 404', http(404, ''), 'server_error', [/\b404\b/, /empty body/, /Base URL/]],
		[
			'JSON of another shape 500',
			json(500, { oops: true }),
			'server_error',
			[/HTTP 500/, /JSON body of another shape/],
		],
		['JSON array 500', json(500, []), 'server_error', [/HTTP 500/, /not JSON/]],
		['empty error.message 400', apiError(400, ''), 'server_error', [/HTTP 400/, /another shape/]],
		['blank error.message 403', apiError(403, '   '), 'server_error', [/\b403\b/]],
		// Token refused / rate limited by whatever answered, without the envelope.
		['empty 401', http(401, ''), 'unauthorized', [/refused the token/, /\b401\b/, /empty body/]],
		[
			'HTML 401',
			http(401, '<h1>401</h1>', { 'content-type': 'text/html' }),
			'unauthorized',
			[/\b401\b/, /not JSON/],
		],
		[
			'empty 429 without headers',
			http(429, ''),
			'rate_limited',
			[/rate limit/, /\b429\b/, /empty body/],
		],
		['empty 429 with headers', http(429, '', RATE_HEADERS), 'rate_limited', [/\b429\b/]],
		[
			'text 429',
			http(429, 'Too Many Requests', { 'content-type': 'text/plain' }),
			'rate_limited',
			[/\b429\b/, /not JSON \(text\/plain\)/],
		],
	];

	it.each(cases)('%s', (_label, answer, reason, patterns) => {
		const failure = failureOf(classifyJoin(answer, LIMIT));
		expect(failure.reason).toBe(reason);
		expect(failure.httpStatus).toBe((answer as { status: number }).status);
		expectSentence(failure.message);
		for (const pattern of patterns) expect(failure.message).toMatch(pattern);
	});
});

describe('classifyAnswer: a 2xx without the expected result', () => {
	it.each([
		['success without groupJid', 200, JSON.stringify({ success: true, message: 'ok' })],
		['empty groupJid', 200, JSON.stringify({ success: true, groupJid: '' })],
		['numeric groupJid', 200, '{"success":true,"groupJid":120363406289005073}'],
		['groupJid without success', 200, JSON.stringify({ groupJid: JID })],
		['success as a string', 200, JSON.stringify({ success: 'true', groupJid: JID })],
		['success:false without a message', 200, JSON.stringify({ success: false })],
		['JSON null', 200, 'null'],
		['JSON string', 200, '"ok"'],
		['JSON number', 201, '42'],
		['JSON array', 200, JSON.stringify([{ success: true, groupJid: JID }])],
		['empty 204', 204, ''],
		['empty 200', 200, ''],
	] as const)('%s', (_label, status, body) => {
		const failure = failureOf(
			classifyJoin(http(status, body, { 'content-type': 'application/json' }), LIMIT),
		);
		expect(failure.reason).toBe('server_error');
		expect(failure.httpStatus).toBe(status);
		expectSentence(failure.message);
		expect(failure.message).toContain(`HTTP ${status}`);
		expect(failure.message).toMatch(/success and groupJid/);
	});
});

describe('classifyAnswer: redirects', () => {
	const cases: Array<[string, number, string | undefined, string | undefined]> = [
		[
			'absolute Location with a token in the query',
			302,
			`https://evil.example/steal/path?token=${SECRET}#frag`,
			'https://evil.example',
		],
		[
			'Location with user info and a port',
			301,
			`http://user:${SECRET}@evil.example:8080/p?q=1`,
			'http://evil.example:8080',
		],
		['the emulator redirect', 302, 'http://127.0.0.2:9/elsewhere', 'http://127.0.0.2:9'],
		[
			'307 to https',
			307,
			`https://ryzeapi.cloud/api/group/join/main?token=${SECRET}`,
			'https://ryzeapi.cloud',
		],
		['308 to another host', 308, 'https://other.example/', 'https://other.example'],
		['relative Location', 302, `/login?next=/api&token=${SECRET}`, undefined],
		['protocol-relative garbage', 303, `//[not a host/${SECRET}`, undefined],
		['non-http scheme', 302, `data:text/plain,${SECRET}`, undefined],
		['no Location', 302, undefined, undefined],
		['empty Location', 301, '', undefined],
		['304 without Location', 304, undefined, undefined],
	];

	it.each(cases)('%s', (_label, status, location, origin) => {
		const failure = failureOf(
			classifyJoin(http(status, '', location === undefined ? {} : { location }), LIMIT),
		);
		expect(failure.reason).toBe('server_error');
		expect(failure.httpStatus).toBe(status);
		expectSentence(failure.message);
		expect(failure.message).toContain(`HTTP ${status}`);
		expect(failure.message).toMatch(/redirect/);
		// The credential's field to fix, as the credential names it.
		expect(failure.message).toMatch(/Check the Base URL/);
		expect(failure.message).not.toContain(SECRET);
		expect(failure.message).not.toContain('token=');
		if (origin !== undefined) expect(failure.message).toContain(`to ${origin})`);
		if (location !== undefined && location !== '') {
			const path = location.replace(/^[a-z]+:\/\/[^/]*/i, '');
			if (path.length > 1) expect(failure.message).not.toContain(path);
		}
	});

	it('names no origin for an opaque target such as data:', () => {
		const failure = failureOf(
			classifyJoin(http(302, '', { location: 'data:text/plain,hello' }), LIMIT),
		);
		expect(failure.message).toContain('to another address');
		expect(failure.message).not.toContain('null');
	});

	it('does not follow a redirect that carries a JSON success body', () => {
		const answer = http(302, JSON.stringify({ success: true, groupJid: JID }), {
			location: 'https://evil.example/',
		});
		expect(failureOf(classifyJoin(answer, LIMIT)).reason).toBe('server_error');
	});
});

describe('classifyAnswer: a 5xx is server_error whatever its message says', () => {
	it.each([
		[500, 'Session expired'],
		[500, 'Instance offline'],
		[502, 'Invalid invite code'],
		[504, 'Invite link has been revoked or expired'],
	])('HTTP %i "%s"', (status, message) => {
		expect(failureOf(classifyJoin(apiError(status, message), LIMIT))).toEqual({
			reason: 'server_error',
			message,
			httpStatus: status,
		});
	});
});

describe('classifyAnswer: a body over the size limit', () => {
	// The body is not read, so the status alone decides, as for any answer without the envelope.
	it.each([
		[200, 'server_error'],
		[401, 'unauthorized'],
		[429, 'rate_limited'],
		[500, 'server_error'],
		[502, 'server_error'],
	] as const)('HTTP %i → %s', (status, reason) => {
		const failure = failureOf(
			classifyJoin(http(status, '', { 'content-type': 'application/json' }, true), LIMIT),
		);
		expect(failure.reason).toBe(reason);
		expect(failure.httpStatus).toBe(status);
		expectSentence(failure.message);
		expect(failure.message).toContain(String(LIMIT));
		expect(failure.message).toMatch(new RegExp(`\\b${status}\\b`));
	});

	it('names the limit it was given', () => {
		expect(failureOf(classifyJoin(http(200, '', {}, true), 1234)).message).toContain('1234 bytes');
	});

	it('ignores whatever part of the body was kept', () => {
		const answer = http(200, JSON.stringify({ success: true, groupJid: JID }), {}, true);
		expect(failureOf(classifyJoin(answer, LIMIT)).reason).toBe('server_error');
	});
});

describe('classifyAnswer: why another try may do better (transient)', () => {
	const transientOf = (answer: RawAnswer) => classifyAnswer(answer, LIMIT, JOIN_ANSWER).transient;
	const window = { limit: 100, remaining: 0, resetAtMs: 1_767_225_600_000 };

	it.each([
		['nothing answered in time', { kind: 'noAnswer', failure: 'timeout', detail: 'x' } as const],
		['a connection reset', { kind: 'noAnswer', failure: 'network', detail: 'ECONNRESET' } as const],
	])('%s: no answer, a timeout or not', (_label, answer) => {
		expect(transientOf(answer)).toEqual({
			kind: 'noAnswer',
			timeout: answer.failure === 'timeout',
		});
	});

	it('a certificate this process does not trust is not transient: it stays untrusted', () => {
		const untrusted: RawAnswer = {
			kind: 'noAnswer',
			failure: 'network',
			detail: 'self-signed certificate',
			tls: 'untrusted',
		};
		expect(transientOf(untrusted)).toBeUndefined();
	});

	it("a 429: the token's window, with Retry-After or the headers it came with", () => {
		expect(transientOf(apiError(429, 'Rate limit exceeded', { 'retry-after': '5' }))).toEqual({
			kind: 'rateLimited',
			retryAfter: '5',
			window: undefined,
		});
		expect(transientOf(http(429, '', RATE_HEADERS))).toEqual({
			kind: 'rateLimited',
			retryAfter: undefined,
			window,
		});
		expect(transientOf(http(429, ''))).toEqual({
			kind: 'rateLimited',
			retryAfter: undefined,
			window: undefined,
		});
		// Retry-After wins over requests left: the server said when.
		expect(
			transientOf(
				http(429, '', { ...RATE_HEADERS, 'x-ratelimit-remaining': '3', 'retry-after': '2' }),
			),
		).toMatchObject({ kind: 'rateLimited', retryAfter: '2' });
	});

	it('a 429 while the headers show requests left is WhatsApp throttling the number', () => {
		expect(transientOf(http(429, '', { ...RATE_HEADERS, 'x-ratelimit-remaining': '1' }))).toEqual({
			kind: 'throttled',
		});
	});

	it.each([500, 502, 503, 504])('%i: the server failing', (status) => {
		expect(transientOf(http(status, '<html>down</html>'))).toEqual({ kind: 'failing', status });
		expect(transientOf(apiError(status, 'Instance not connected'))).toEqual({
			kind: 'failing',
			status,
		});
	});

	it("a 2xx that is not the API's JSON is the server failing; one the API wrote is not", () => {
		expect(transientOf(http(200, '{"success":tr'))).toEqual({ kind: 'failing', status: 200 });
		expect(transientOf(http(200, JSON.stringify({ success: true }), {}, true))).toEqual({
			kind: 'failing',
			status: 200,
		});
		expect(transientOf(json(200, { success: true, groupJid: JID }))).toBeUndefined();
		expect(transientOf(json(200, { success: true, message: 'no jid' }))).toBeUndefined();
		expect(transientOf(json(200, { success: false, error: { message: 'x' } }))).toBeUndefined();
	});

	it.each([301, 302, 400, 401, 403, 404, 409, 422])('%i: not transient', (status) => {
		expect(transientOf(apiError(status, 'no', { 'retry-after': '5' }))).toBeUndefined();
		expect(
			transientOf(http(status, '', { location: 'https://elsewhere.example/' })),
		).toBeUndefined();
	});
});

describe('classifyAnswer: no answer', () => {
	it.each([
		['timeout', 'timeout', 'no complete answer within 30000 ms', /did not answer in time/],
		['network', 'network_error', 'ECONNREFUSED', /Could not reach RyzeAPI/],
		['network', 'network_error', 'ENOTFOUND', /Could not reach RyzeAPI/],
	] as const)('%s (%s)', (failure, reason, detail, pattern) => {
		const outcome = classifyJoin({ kind: 'noAnswer', failure, detail }, LIMIT);
		const result = failureOf(outcome);
		expect(result).toEqual({ reason, message: expect.stringMatching(pattern), httpStatus: null });
		expect(result.message).toContain(detail);
		expectSentence(result.message);
	});
});

describe('classifyAnswer: never echoes what it was not asked to', () => {
	const headers = {
		token: SECRET,
		authorization: `Bearer ${SECRET}`,
		'set-cookie': `session=${SECRET}`,
	};
	it.each([
		[
			'HTML page containing the token',
			http(502, `<html>${SECRET}</html>`, { ...headers, 'content-type': 'text/html' }),
		],
		[
			'JSON of another shape with the token',
			json(500, { token: SECRET, headers: { token: SECRET } }, headers),
		],
		[
			'2xx without groupJid echoing the token',
			json(200, { success: true, token: SECRET }, headers),
		],
		['truncated JSON with the token', http(200, `{"token":"${SECRET}`, headers)],
		['empty 401 with token headers', http(401, '', headers)],
		['429 with the token in its body', http(429, `rate limited for ${SECRET}`, headers)],
		['oversized body', http(200, SECRET, headers, true)],
	])('%s', (_label, answer) => {
		const failure = failureOf(classifyJoin(answer, LIMIT));
		expect(failure.message).not.toContain(SECRET);
		expectSentence(failure.message);
	});
});

describe('classifyAnswer: properties', () => {
	const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
	const knownMessages = fc.constantFrom(
		'Invalid invite link or code',
		'Invite link has been revoked or expired',
		'Not allowed to join this group',
		'Group not found',
		'Instance not found',
		'Instance disconnected',
		'Instance not connected',
		'Bridge not configured',
		'Invalid token',
		'Token does not have access to this instance',
		'Rate limit exceeded. Try again later.',
		'',
		'   ',
	);
	const envelopeBody = fc
		.record({
			success: fc.option(fc.oneof(fc.boolean(), fc.string()), { nil: undefined }),
			message: fc.option(fc.oneof(fc.string(), knownMessages), { nil: undefined }),
			groupJid: fc.option(fc.oneof(fc.constant(JID), fc.string(), fc.integer()), {
				nil: undefined,
			}),
			requiresApproval: fc.option(fc.oneof(fc.boolean(), fc.string()), { nil: undefined }),
			error: fc.option(
				fc.oneof(
					knownMessages,
					fc.string(),
					fc.record({ message: fc.oneof(knownMessages, fc.string(), fc.integer()) }),
				),
				{
					nil: undefined,
				},
			),
		})
		.map((value) => JSON.stringify(value));
	const body = fc.oneof(
		fc.string(),
		fc.string({ unit: 'binary' }),
		fc.string({ unit: codeUnit }),
		fc.json(),
		fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
		envelopeBody,
	);
	const headerValue = fc.option(
		fc.oneof(
			fc.string(),
			fc.webUrl({ withQueryParameters: true, withFragments: true }),
			fc.string({ unit: codeUnit }),
		),
		{
			nil: undefined,
		},
	);
	const headers = fc
		.tuple(
			fc.dictionary(fc.string(), headerValue),
			fc.record({ location: headerValue, 'content-type': headerValue }, { requiredKeys: [] }),
		)
		.map(([random, known]) => ({ ...random, ...known }));
	const httpAnswer: fc.Arbitrary<Extract<RawAnswer, { kind: 'http' }>> = fc.record({
		kind: fc.constant('http' as const),
		status: fc.integer({ min: 100, max: 599 }),
		headers,
		body,
		bodyTooLarge: fc.boolean(),
	});
	const reasons: readonly string[] = ERROR_REASONS;

	it('classifies any HTTP answer without throwing, keeping its status', () => {
		fc.assert(
			fc.property(httpAnswer, fc.integer({ min: 1, max: 10_000_000 }), (answer, limit) => {
				const outcome = classifyJoin(answer, limit);
				if (outcome.ok) {
					expect(answer.status >= 200 && answer.status < 300).toBe(true);
					expect(answer.bodyTooLarge).toBe(false);
					expect(['joined', 'pending_approval']).toContain(outcome.value.status);
					expect(outcome.value.status === 'pending_approval').toBe(outcome.value.requiresApproval);
					expect(typeof outcome.value.groupJid).toBe('string');
					expect(outcome.value.groupJid).not.toBe('');
					expect(typeof outcome.value.message).toBe('string');
				} else {
					expect(reasons).toContain(outcome.failure.reason);
					expect(['timeout', 'network_error']).not.toContain(outcome.failure.reason);
					expect(outcome.failure.httpStatus).toBe(answer.status);
					expect(typeof outcome.failure.message).toBe('string');
					expect(outcome.failure.message.trim()).not.toBe('');
				}
			}),
			{ numRuns: 500, seed: 20240601 },
		);
	});

	it('gives timeout or network_error with no status when nothing answered', () => {
		fc.assert(
			fc.property(
				fc.constantFrom('timeout' as const, 'network' as const),
				fc.string({ unit: codeUnit }),
				(kind, detail) => {
					const failure = failureOf(
						classifyJoin({ kind: 'noAnswer', failure: kind, detail }, LIMIT),
					);
					expect(failure.reason).toBe(kind === 'timeout' ? 'timeout' : 'network_error');
					expect(failure.httpStatus).toBeNull();
					expect(failure.message.trim()).not.toBe('');
				},
			),
			{ numRuns: 500, seed: 20240602 },
		);
	});

	it('never shows more of a redirect target than its origin', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 300, max: 399 }),
				fc.webUrl({ withQueryParameters: true, withFragments: true }),
				(status, base) => {
					const location = `${base.replace(/[?#].*$/, '')}/${SECRET}?token=${SECRET}#${SECRET}`;
					const failure = failureOf(classifyJoin(http(status, '', { location }), LIMIT));
					expect(failure.reason).toBe('server_error');
					expect(failure.message).not.toContain(SECRET);
				},
			),
			{ numRuns: 500, seed: 20240603 },
		);
	});
});
