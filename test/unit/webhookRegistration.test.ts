/** trigger/registration.ts: reading rows, "ours and current?", slots, refusals. */
import type { RawAnswer } from '../../nodes/RyzeApi/shared/interfaces';
import { authorizationHash } from '../../nodes/RyzeApi/trigger/authorization';
import {
	blockingLabels,
	describeRefusal,
	disableBody,
	isCurrentRegistration,
	readSingleWebhook,
	readWebhookRows,
	registrationBody,
} from '../../nodes/RyzeApi/trigger/registration';

const LABEL = 'n8n-wf1-0123456789';
const SECRET = 'S3cr3t-S3cr3t-S3cr3t-S3cr3t-S3cr3t-S3cr3t-S3c';
const WANTED = {
	label: LABEL,
	url: 'https://n8n.example/webhook/abc/ryzeapi',
	authorization: `Bearer ${SECRET}`,
	events: ['group.flow', 'instance.state'],
};
/** What the static data knows of WANTED: the header by its hash. */
const EXPECTED = {
	label: LABEL,
	url: WANTED.url,
	authorizationHash: authorizationHash(WANTED.authorization),
	events: WANTED.events,
};
const row = (fields: Record<string, unknown>) => ({
	label: LABEL,
	enabled: true,
	url: WANTED.url,
	authorization: WANTED.authorization,
	events: ['instance.state', 'group.flow'],
	...fields,
});

describe('reading the provider rows', () => {
	it('reads the list, defaulting the label and skipping what is not a row', () => {
		const rows = readWebhookRows({ webhooks: [{ url: 'https://a', events: ['x', 1] }, 'junk'] });
		expect(rows).toEqual([
			{
				label: 'default',
				enabled: true,
				url: 'https://a',
				authorization: undefined,
				events: ['x'],
			},
		]);
		expect(readWebhookRows({ webhook: {} })).toEqual([]);
		expect(readWebhookRows(undefined)).toEqual([]);
	});

	it('reads a single row from {webhook} or bare', () => {
		expect(readSingleWebhook({ webhook: row({}) })?.label).toBe(LABEL);
		expect(readSingleWebhook(row({ label: 'x' }))?.label).toBe('x');
		expect(readSingleWebhook('nope')).toBeUndefined();
	});

	it('counts a row as enabled when it says so, or says nothing and has a url', () => {
		expect(readSingleWebhook({ enabled: false, url: 'https://a' })?.enabled).toBe(false);
		expect(readSingleWebhook({ url: 'https://a' })?.enabled).toBe(true);
		expect(readSingleWebhook({ label: 'x' })?.enabled).toBe(false);
	});
});

describe('isCurrentRegistration', () => {
	it('is true for our label, enabled, same url, secret and events in any order', () => {
		expect(isCurrentRegistration(readSingleWebhook(row({})), EXPECTED)).toBe(true);
	});

	it.each([
		['absent', undefined],
		['another label', row({ label: 'default' })],
		['disabled', row({ enabled: false })],
		['another url', row({ url: 'https://old.example/webhook/abc/ryzeapi' })],
		['another secret', row({ authorization: 'Bearer other' })],
		['an encrypted authorization', row({ authorization: { iv: 'x', data: 'y' } })],
		['fewer events', row({ events: ['group.flow'] })],
		['more events', row({ events: ['group.flow', 'instance.state', 'call.update'] })],
		['events absent (all of them)', row({ events: undefined })],
	])('is false when %s', (_name, raw) => {
		expect(isCurrentRegistration(raw && readSingleWebhook(raw), EXPECTED)).toBe(false);
	});

	it('compares the row with the stored hash: a plain secret in place of the hash matches nothing', () => {
		const current = readSingleWebhook(row({}));
		expect(isCurrentRegistration(current, { ...EXPECTED, authorizationHash: SECRET })).toBe(false);
		expect(
			isCurrentRegistration(current, { ...EXPECTED, authorizationHash: WANTED.authorization }),
		).toBe(false);
	});
});

describe('blockingLabels', () => {
	const rows = (labels: string[], enabled = true) =>
		labels.map((label) => readSingleWebhook(row({ label, enabled }))!);

	it('names the three enabled labels when ours is not among them', () => {
		expect(blockingLabels(rows(['default', 'a', 'b']), LABEL)).toEqual(['default', 'a', 'b']);
	});

	it('blocks nothing when a slot is free, ours is enabled, or the others are disabled', () => {
		expect(blockingLabels(rows(['default', 'a']), LABEL)).toEqual([]);
		expect(blockingLabels(rows(['default', 'a', LABEL]), LABEL)).toEqual([]);
		expect(blockingLabels([...rows(['a', 'b']), ...rows(['c', 'd'], false)], LABEL)).toEqual([]);
	});
});

describe('what is sent', () => {
	it('registers with our label, url, header and events, never byEvents', () => {
		expect(registrationBody(WANTED)).toEqual({
			label: LABEL,
			enabled: true,
			url: WANTED.url,
			authorization: WANTED.authorization,
			byEvents: false,
			events: WANTED.events,
		});
		expect(disableBody(LABEL)).toEqual({ label: LABEL, enabled: false });
	});
});

describe('describeRefusal', () => {
	const context = {
		action: 'register',
		label: LABEL,
		instance: 'main',
		origin: 'https://ryzeapi.cloud',
		enabledLabels: ['default', 'n8n-a-1', 'n8n-b-2'],
		secret: SECRET,
	};
	const http = (status: number, message?: string, headers = {}): RawAnswer => ({
		kind: 'http',
		status,
		headers,
		body: message === undefined ? '' : JSON.stringify({ success: false, error: { message } }),
		bodyTooLarge: false,
	});

	it.each([
		[http(401, 'Invalid token'), /refused the token \(401: Invalid token\)/],
		[
			http(403, 'Forbidden'),
			/may not act on instance "main" \(403: Forbidden\)\. Check the Instance Name or the Token/,
		],
		[http(404, 'Instance not found'), /404: Instance not found\)\. Check the Instance Name/],
		[http(404), /answered 404 and not like RyzeAPI\. Check the Base URL/],
		[http(302), /redirect \(HTTP 302\)/],
		[http(500, 'boom'), /answered HTTP 500: boom/],
		[http(502), /HTTP 502 without its JSON error/],
		[
			{ kind: 'noAnswer', failure: 'timeout', detail: 'no complete answer within 15000 ms' },
			/did not answer in time/,
		],
	] as Array<[RawAnswer, RegExp]>)('%#: says what failed', (answer, pattern) => {
		const message = describeRefusal(answer, context);
		expect(message).toMatch(/^Could not register the RyzeAPI webhook "n8n-wf1-0123456789"/);
		expect(message).toMatch(pattern);
	});

	it('a 429 says when the window resets', () => {
		const message = describeRefusal(
			http(429, 'Rate limit exceeded. Try again later.', {
				'x-ratelimit-limit': '100',
				'x-ratelimit-remaining': '0',
				'x-ratelimit-reset': '1767225600',
			}),
			context,
		);
		expect(message).toContain('Try again after 2026-01-01T00:00:00.000Z');
	});

	it('the provider refusing a 4th webhook names the labels and how to free one', () => {
		const message = describeRefusal(http(400, 'Maximum of 3 enabled webhooks reached'), context);
		expect(message).toContain('"default", "n8n-a-1", "n8n-b-2"');
		expect(message).toContain('deactivate the n8n workflow');
		expect(message).toContain('RyzeAPI dashboard');
	});

	it.each([
		['an invalid URL with a 3 in it', 'Invalid webhook url http://10.0.0.3/x'],
		['a webhook error with a bare 3', 'webhook 3 failed validation'],
		['a limit without webhook', 'Rate limit of 3 per second'],
	])('a 4xx that is not about the slots is not taken for them: %s', (_case, said) => {
		const message = describeRefusal(http(400, said), context);
		expect(message).not.toContain('enabled webhooks per instance');
		expect(message).toMatch(/answered HTTP 400: /);
		expect(message).toContain(said);
	});

	it.each([
		'Webhook limit reached',
		'max 3 webhooks enabled',
		'At most 3 enabled webhooks per instance',
	])('the slot refusal in other words: %s', (said) => {
		expect(describeRefusal(http(422, said), context)).toContain('enabled webhooks per instance');
	});

	it('never repeats the secret, should the provider echo it', () => {
		const message = describeRefusal(http(400, `Invalid authorization Bearer ${SECRET}`), context);
		expect(message).not.toContain(SECRET);
		expect(message).toContain('[redacted]');
	});
});
