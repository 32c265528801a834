/**
 * Hostile input and secrets, through the node in n8n's engine: hostile identifiers cost no request
 * and crash nothing; a recognisable token appears nowhere in what the node produces, on any path.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { ICredentialsDecrypted, ICredentialTestFunctions, IDataObject } from 'n8n-workflow';

import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import { runOperation } from '../../nodes/RyzeApi/runner/runOperation';
import { useClock } from '../../nodes/RyzeApi/shared/clock';
import { MAIN_INSTANCE } from '../support/emulator/server';
import type { RunOptions } from '../support/engine';
import { runRyzeApiNode, shutDownEngine } from '../support/engine';
import { fastClock } from '../support/fastClock';
import { feedOf, joinGroup } from '../support/operations';
import { useEmulator } from '../support/useEmulator';

const TOKEN = 'SECRET-ryzeapi-token-7f3a9c2e';
const WRONG_TOKEN = 'SECRET-wrong-token-51b0d4aa';
const emulator = useEmulator({ tokens: { [TOKEN]: '*' } });
afterAll(shutDownEngine);

/** Everything n8n's logger is given while the tests run. */
const logged: unknown[] = [];
beforeAll(() => {
	const record = (...args: unknown[]) => logged.push(args);
	const logger = Container.get(Logger);
	for (const level of ['error', 'warn', 'info', 'debug'] as const)
		jest.spyOn(logger, level).mockImplementation(record);
});

function run(items: IDataObject[], overrides: Partial<RunOptions> = {}) {
	return runRyzeApiNode({
		nodeType: new RyzeApi(),
		items,
		parameters: {
			resource: 'group',
			operation: 'join',
			identifier: '={{ $json.value }}',
			options: { triesPerRequest: 1, timeoutSeconds: 1 },
		},
		credentials: { baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: TOKEN },
		...overrides,
	});
}

/** Serialises anything, errors included (message, description, stack, cause). */
function everything(value: unknown): string {
	return JSON.stringify(value, (_key, inner: unknown) =>
		inner instanceof Error
			? {
					...inner,
					name: inner.name,
					message: inner.message,
					stack: inner.stack,
					cause: inner.cause,
				}
			: inner,
	);
}

const HOSTILE: unknown[] = [
	null,
	undefined,
	true,
	{},
	{ toString: () => 'OpenEvil' },
	[],
	['OpenEvil'],
	NaN,
	-1,
	2 ** 64,
	'',
	'   ',
	'A'.repeat(100_000),
	`https://chat.whatsapp.com/${'B'.repeat(5_000)}`,
	'Open\u0000Evil',
	'Open\u0007Evil',
	'OpenEvil\r\nX-Injected: yes',
	'https://chat.whatsapp.com/OpenEvil\r\nHost: evil.example',
	'\u202EOpenEvil',
	'Open\u200BEvil',
	'https://chat.whatsapp.com.evil.example/OpenEvil',
	'https://evilchat.whatsapp.com/OpenEvil',
	'https://chat.whatsapp.com@evil.example/OpenEvil',
	'https://chat-whatsapp.com/OpenEvil',
	'https://chat.whatsapp.co/OpenEvil',
	'https://chat.whatsаpp.com/OpenEvil',
	'https://xn--80ak6aa92e.com/OpenEvil',
	'https://chat.whatsapp.com:444/OpenEvil',
	'https://chat.whatsapp.com./OpenEvil',
	'ftp://chat.whatsapp.com/OpenEvil',
	'javascript:alert(1)',
	'file:///etc/passwd',
	'data:text/html,<script>alert(1)</script>',
	'https://chat.whatsapp.com/../OpenEvil',
	'https://chat.whatsapp.com/invite/../../OpenEvil',
	'https://chat.whatsapp.com/OpenEvil/../../admin',
	'https://chat.whatsapp.com/%4FpenEvil',
	'https://chat.whatsapp.com/Open%2FEvil',
	'https://chat%2Ewhatsapp.com/OpenEvil',
	'https:\\\\chat.whatsapp.com\\OpenEvil',
	'Open-Evil',
	'Open_Evil',
	'Open Evil; DROP TABLE groups',
	'<img src=x onerror=alert(1)>',
	'{{ $env.SECRET }}',
	'${process.env.SECRET}',
	'120363406289005073@g.us',
	'5511999999999@s.whatsapp.net',
	'123456789@lid',
	'+55 11 99999-9999',
	'5511999999999',
	'https://wa.me/5511999999999',
	'https://api.whatsapp.com/send?phone=5511999999999',
	'https://whatsapp.com/channel/0029VaOpenEvil',
	'chat.whatsapp.com/OpenOne and chat.whatsapp.com/OpenTwo',
	'chat.whatsapp.com/',
	'whatsapp://chat?code=Open-Evil',
	'O'.repeat(65),
];

describe('hostile identifiers', () => {
	test(`${HOSTILE.length} hostile or malformed identifiers: each on Error as invalid_identifier, no request, no crash`, async () => {
		expect(HOSTILE.length).toBeGreaterThanOrEqual(50);
		const result = await run(HOSTILE.map((value) => ({ value }) as IDataObject));
		expect(result.error).toBeUndefined();
		const [success, failure] = result.outputs!;
		expect(success).toHaveLength(0);
		expect(failure.map((item) => (item.json.error as IDataObject).reason)).toEqual(
			Array(HOSTILE.length).fill('invalid_identifier'),
		);
		expect(failure.map((item) => item.pairedItem)).toEqual(
			HOSTILE.map((_value, item) => ({ item })),
		);
		expect(emulator.log).toHaveLength(0);
		for (const item of failure)
			expect(((item.json.error as IDataObject).message as string).length).toBeLessThanOrEqual(300);
	});
});

describe('the token appears nowhere', () => {
	/** Each test checks what it produced, and everything n8n logged so far. */
	const expectNoToken = (...produced: unknown[]) => {
		const all = everything([produced, logged]);
		expect(all).not.toContain(TOKEN);
		expect(all).not.toContain(WRONG_TOKEN);
	};

	test('every error reason, in items', async () => {
		emulator.configure({ instances: { [MAIN_INSTANCE]: 'connected', offline: 'disconnected' } });
		for (const fault of [
			'serverError',
			'badGatewayHtml',
			'emptyBody',
			'malformedJson',
			'truncatedJson',
			'oversizedBody',
			'redirect',
			'reset',
			'hang',
			'rateLimited',
		] as const) {
			emulator.queueFault(fault);
		}
		const values = [
			'OpenF1',
			'OpenF2',
			'OpenF3',
			'OpenF4',
			'OpenF5',
			'OpenF6',
			'OpenF7',
			'OpenF8',
			'OpenF9',
			'OpenF10',
			'RevokedX',
			'ForbiddenX',
			'MissingX',
			'InvalidX',
			'bad-code',
			'OpenOk',
		];
		const result = await run(
			values.map((value) => ({ value })),
			{
				parameters: {
					resource: 'group',
					operation: 'join',
					identifier: '={{ $json.value }}',
					options: { triesPerRequest: 1, timeoutSeconds: 1, concurrency: 1 },
				},
			},
		);
		const reasons = new Set(
			result.outputs![1].map((item) => (item.json.error as IDataObject).reason),
		);
		expect([...reasons].sort()).toEqual(
			[
				'group_not_found',
				'invalid_code',
				'invalid_identifier',
				'network_error',
				'not_allowed',
				'rate_limited',
				'revoked_or_expired',
				'server_error',
				'timeout',
			].sort(),
		);

		const offline = await run([{ value: 'OpenA' }], {
			parameters: {
				resource: 'group',
				operation: 'join',
				identifier: '={{ $json.value }}',
				options: { instanceName: 'offline', triesPerRequest: 1 },
			},
		});
		expect((offline.outputs![1][0].json.error as IDataObject).reason).toBe('instance_unavailable');
		expectNoToken(result.run, result.outputs, offline.run);
	});

	test('a refused token, failing the node and continuing', async () => {
		const credentials = { baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: WRONG_TOKEN };
		const failed = await run([{ value: 'OpenA' }, { value: 'OpenB' }], { credentials });
		expect(failed.error?.name).toBe('NodeApiError');
		const continued = await run([{ value: 'OpenA' }, { value: 'OpenB' }], {
			credentials,
			settings: { onError: 'continueRegularOutput' },
		});
		expect(continued.outputs![1]).toHaveLength(2);
		expectNoToken(failed.run, failed.error, continued.run);
	});

	test('unusable credentials, before any request', async () => {
		for (const credentials of [
			{ baseUrl: 'ftp://ryzeapi.example', instanceName: MAIN_INSTANCE, token: TOKEN },
			{ baseUrl: `http://user:${TOKEN}@127.0.0.1:1`, instanceName: MAIN_INSTANCE, token: TOKEN },
			{ baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: `${TOKEN} with spaces` },
			{ baseUrl: emulator.url, instanceName: '', token: TOKEN },
		]) {
			const result = await run([{ value: 'OpenA' }], { credentials });
			expect(result.error).toBeDefined();
			expectNoToken(result.run, result.error);
		}
	});

	test("the credential's Test button, on every failure", async () => {
		const node = new RyzeApi();
		const test = async (data: Record<string, string>) =>
			await node.methods.credentialTest.ryzeApiCredentialTest.call(
				{} as ICredentialTestFunctions,
				{ id: '1', name: 'x', type: 'ryzeApi', data } as ICredentialsDecrypted,
			);
		emulator.queueFault('redirect');
		for (const data of [
			{ baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: TOKEN },
			{ baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: WRONG_TOKEN },
			{ baseUrl: emulator.url, instanceName: 'nobody', token: TOKEN },
			{ baseUrl: `${emulator.url}/elsewhere`, instanceName: MAIN_INSTANCE, token: TOKEN },
			{ baseUrl: `http://${TOKEN}:x@127.0.0.1`, instanceName: MAIN_INSTANCE, token: TOKEN },
			{ baseUrl: 'http://127.0.0.1:1', instanceName: MAIN_INSTANCE, token: TOKEN },
		]) {
			const verdict = await test(data);
			expect(verdict.status).toBeDefined();
			expectNoToken(verdict);
		}
	});

	test('the long-wait log lines', async () => {
		// A clock 20 times faster, the emulator on the same time: a 20 s window passes in 1 s.
		const clock = fastClock(20);
		emulator.configure({ now: clock.now, rateLimit: { limit: 1, windowMs: 20_000 } });
		const lines: string[] = [];
		useClock(clock);
		await runOperation(
			joinGroup,
			feedOf(
				['OpenA', 'OpenB', 'OpenC'].map((code) => ({
					connection: { origin: emulator.url, basePath: '', instance: MAIN_INSTANCE, token: TOKEN },
					identifier: code,
				})),
			),
			{
				concurrency: 2,
				timeoutMs: 2_000,
				retry: { maxTries: 2, baseDelayMs: 10, maxDelayMs: 10, maxRetryWaitMs: 5_000 },
				minIntervalMs: 0,
				log: (line) => lines.push(line),
			},
		).finally(() => useClock());
		expect(lines.length).toBeGreaterThan(0);
		expectNoToken(lines);
	});
});

describe('the wire', () => {
	test('the token travels only in the token header, never in the path or the body', async () => {
		await run([{ value: 'OpenWire' }]);
		const [request] = emulator.joinRequests();
		expect(request.token).toBe(TOKEN);
		expect(request.path).not.toContain(TOKEN);
		expect(JSON.stringify(request.identifier)).not.toContain(TOKEN);
	});
});
