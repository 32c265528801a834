/**
 * HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY, as n8n reads them, through a real forwarding
 * proxy on 127.0.0.1: plain http:// forwarded through it, https:// through a CONNECT tunnel that
 * the proxy cannot read, NO_PROXY going around it, and a dead, refusing or misconfigured proxy
 * named in the error (never with its password), for the items and the credential's Test button.
 * The https:// cases run in a child process that trusts the test's private CA through
 * NODE_EXTRA_CA_CERTS, as a user's n8n would.
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions } from 'n8n-workflow';

import { classifyAnswer } from '../../nodes/RyzeApi/shared/classifyAnswer';
import type { Connection } from '../../nodes/RyzeApi/shared/connection';
import type { JoinSuccess } from '../../nodes/RyzeApi/shared/groupAnswers';
import { JOIN_ANSWER } from '../../nodes/RyzeApi/shared/groupAnswers';
import type { Outcome } from '../../nodes/RyzeApi/shared/interfaces';
import { ryzeApiCredentialTest } from '../../nodes/RyzeApi/methods/credentialTest';
import { bodyLimitOf, sendRequest } from '../../nodes/RyzeApi/transport';
import { freePort } from '../support/n8n/realN8n';
import { ACCOUNT_TOKEN, MAIN_INSTANCE, RyzeApiEmulator } from '../support/emulator/server';
import { ForwardingProxy } from '../support/forwardingProxy';
import { runInChild } from '../support/networkChild';
import type { PrivateCa } from '../support/privateCa';
import { makePrivateCa } from '../support/privateCa';
import { joinGroup } from '../support/operations';
import { useEmulator } from '../support/useEmulator';

const emulator = useEmulator();
const proxy = new ForwardingProxy();
const PROXY_PASSWORD = 'proxy-pa55word-never-shown';

const PROXY_VARIABLES = [
	'HTTP_PROXY',
	'http_proxy',
	'HTTPS_PROXY',
	'https_proxy',
	'ALL_PROXY',
	'all_proxy',
	'NO_PROXY',
	'no_proxy',
];

beforeAll(async () => {
	await proxy.start();
});

afterAll(async () => {
	await proxy.close();
});

beforeEach(() => {
	proxy.reset();
	proxy.configure({});
	for (const name of PROXY_VARIABLES) delete process.env[name];
});

afterEach(() => {
	for (const name of PROXY_VARIABLES) delete process.env[name];
});

function connection(): Connection {
	return { origin: emulator.url, basePath: '', instance: MAIN_INSTANCE, token: ACCOUNT_TOKEN };
}

async function join(code: string): Promise<Outcome<JoinSuccess>> {
	const request = joinGroup.request(code);
	const answer = await sendRequest(connection(), request, { timeoutMs: 5_000 });
	return classifyAnswer(answer, bodyLimitOf(request), JOIN_ANSWER).outcome;
}

async function testButton(): Promise<{ status: string; message: string }> {
	const credential: ICredentialsDecrypted = {
		id: 'proxy',
		name: 'RyzeAPI',
		type: 'ryzeApi',
		data: { baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: ACCOUNT_TOKEN },
	};
	return await ryzeApiCredentialTest.call({} as ICredentialTestFunctions, credential);
}

describe('plain http:// through the proxy', () => {
	test.each(['HTTP_PROXY', 'http_proxy', 'ALL_PROXY'])(
		'%s: the join and the Test button are forwarded by the proxy and answered',
		async (variable) => {
			process.env[variable] = proxy.url;
			const outcome = await join('OpenProxied1');
			expect(outcome.ok && outcome.value.status).toBe('joined');
			expect((await testButton()).status).toBe('OK');
			expect(proxy.forwarded.map((request) => [request.method, request.url])).toEqual([
				['POST', `${emulator.url}/api/group/join/main`],
				['GET', `${emulator.url}/api/group/list/main`],
			]);
			expect(emulator.log.map((request) => request.path)).toEqual([
				'/api/group/join/main',
				'/api/group/list/main',
			]);
		},
	);

	test('lower case wins over upper case, as in n8n', async () => {
		process.env.http_proxy = proxy.url;
		process.env.HTTP_PROXY = `http://127.0.0.1:${await freePort()}`;
		const outcome = await join('OpenProxied2');
		expect(outcome.ok).toBe(true);
		expect(proxy.forwarded).toHaveLength(1);
	});

	test('HTTPS_PROXY alone does not carry http:// requests, as in n8n', async () => {
		process.env.HTTPS_PROXY = proxy.url;
		expect((await join('OpenDirect1')).ok).toBe(true);
		expect(proxy.forwarded).toEqual([]);
		expect(emulator.joinRequests()).toHaveLength(1);
	});

	test('a proxy that asks for a user and password gets them from the proxy URL', async () => {
		proxy.configure({ credentials: { user: 'n8n', password: PROXY_PASSWORD } });
		process.env.HTTP_PROXY = proxy.url;
		expect((await join('OpenProxied3')).ok).toBe(true);
		expect(proxy.forwarded[0].headers['proxy-authorization']).toBe(
			`Basic ${Buffer.from(`n8n:${PROXY_PASSWORD}`).toString('base64')}`,
		);
		// The proxy's credentials are the proxy's: RyzeAPI never gets them.
		expect(emulator.log).toHaveLength(1);
	});

	test('without them, the item says the proxy wants them (407) and names it', async () => {
		proxy.configure({ credentials: { user: 'n8n', password: PROXY_PASSWORD } });
		process.env.HTTP_PROXY = `http://127.0.0.1:${proxy.port}`;
		const outcome = await join('OpenProxied4');
		expect(outcome).toEqual({
			ok: false,
			failure: {
				reason: 'network_error',
				httpStatus: null,
				message: expect.stringContaining(
					`through the proxy http://127.0.0.1:${proxy.port} (from HTTP_PROXY) (the proxy asks for a user and password (HTTP 407)`,
				),
			},
		});
		expect(emulator.log).toEqual([]);
	});
});

describe('NO_PROXY', () => {
	test.each([
		['NO_PROXY', '127.0.0.1'],
		['no_proxy', 'example.com, localhost,127.0.0.1'],
		['NO_PROXY', '*'],
		['no_proxy', '127.0.0.1:EMULATOR_PORT'],
	])('%s=%s goes around the proxy', async (variable, value) => {
		process.env.HTTP_PROXY = proxy.url;
		process.env[variable] = value.replace('EMULATOR_PORT', new URL(emulator.url).port);
		expect((await join('OpenBypass1')).ok).toBe(true);
		expect((await testButton()).status).toBe('OK');
		expect(proxy.forwarded).toEqual([]);
		expect(emulator.log).toHaveLength(2);
	});

	test('an entry for another host or port does not', async () => {
		process.env.HTTP_PROXY = proxy.url;
		process.env.NO_PROXY = `example.com,127.0.0.1:${await freePort()}`;
		expect((await join('OpenNotBypassed1')).ok).toBe(true);
		expect(proxy.forwarded).toHaveLength(1);
	});
});

describe('a proxy that fails is named, without its password', () => {
	test('a dead proxy: the item and the Test button name it, nothing reaches RyzeAPI', async () => {
		const deadPort = await freePort();
		process.env.HTTP_PROXY = `http://n8n:${PROXY_PASSWORD}@127.0.0.1:${deadPort}`;
		const outcome = await join('OpenDeadProxy1');
		expect(outcome).toEqual({
			ok: false,
			failure: {
				reason: 'network_error',
				httpStatus: null,
				message: `Could not reach RyzeAPI through the proxy http://127.0.0.1:${deadPort} (from HTTP_PROXY) (ECONNREFUSED). Check that the proxy runs and that the variable is right, or list the host in NO_PROXY to bypass the proxy.`,
			},
		});
		const button = await testButton();
		expect(button).toEqual({
			status: 'Error',
			message: expect.stringContaining(
				`Could not reach RyzeAPI at ${emulator.url} through the proxy http://127.0.0.1:${deadPort} (from HTTP_PROXY) (ECONNREFUSED)`,
			),
		});
		for (const text of [JSON.stringify(outcome), JSON.stringify(button)]) {
			expect(text).not.toContain(PROXY_PASSWORD);
			expect(text).not.toContain('n8n:');
		}
		expect(emulator.log).toEqual([]);
	});

	test.each([
		['socks5://127.0.0.1:1080', 'only http:// and https:// proxies are supported'],
		['http://[not a host', 'it is not a URL'],
	])(
		'a proxy variable set to %s: the item says which variable, nothing is sent',
		async (value, problem) => {
			process.env.http_proxy = value;
			const outcome = await join('OpenBadProxy1');
			expect(outcome).toEqual({
				ok: false,
				failure: {
					reason: 'network_error',
					httpStatus: null,
					message: expect.stringContaining(`through the proxy set in http_proxy (${problem})`),
				},
			});
			expect((await testButton()).message).toContain(
				`through the proxy set in http_proxy (${problem})`,
			);
			expect(emulator.log).toEqual([]);
		},
	);
});

describe('https:// through a CONNECT tunnel (in a child process trusting the private CA)', () => {
	const httpsEmulator = new RyzeApiEmulator();
	let ca: PrivateCa;

	beforeAll(async () => {
		ca = await makePrivateCa();
		await httpsEmulator.start(0, ca.server);
	});

	afterAll(async () => {
		await httpsEmulator.close();
		ca?.remove();
	});

	beforeEach(() => httpsEmulator.reset());

	const input = () => ({
		baseUrl: httpsEmulator.url,
		instanceName: MAIN_INSTANCE,
		token: ACCOUNT_TOKEN,
		links: ['https://chat.whatsapp.com/OpenTunnel1', 'RevokedTunnel2'],
	});

	test('joins and the Test button go through the tunnel, and the proxy never sees the token', async () => {
		proxy.configure({ credentials: { user: 'n8n', password: PROXY_PASSWORD } });
		const result = await runInChild(input(), {
			NODE_EXTRA_CA_CERTS: ca.caFile,
			HTTPS_PROXY: proxy.url,
		});
		expect(result.success).toEqual([
			expect.objectContaining({ status: 'joined', inviteCode: 'OpenTunnel1' }),
		]);
		expect(result.error).toEqual([
			expect.objectContaining({
				error: expect.objectContaining({ reason: 'revoked_or_expired' }),
			}),
		]);
		expect(result.credentialTest.status).toBe('OK');

		const target = new URL(httpsEmulator.url).host;
		expect(proxy.tunnels.length).toBeGreaterThan(0);
		expect(proxy.tunnels.every((tunnel) => tunnel.target === target)).toBe(true);
		expect(proxy.forwarded).toEqual([]);
		// The proxy relayed the whole exchange, encrypted: no token, code or path in clear.
		const relayed = proxy.relayedBytes();
		expect(relayed.length).toBeGreaterThan(1000);
		for (const secret of [ACCOUNT_TOKEN, 'OpenTunnel1', '/api/group/']) {
			expect(relayed.includes(secret)).toBe(false);
		}
		expect(JSON.stringify(proxy.tunnels)).not.toContain(ACCOUNT_TOKEN);
		expect(httpsEmulator.log.map((request) => request.token)).toEqual([
			ACCOUNT_TOKEN,
			ACCOUNT_TOKEN,
			ACCOUNT_TOKEN,
		]);
	}, 120_000);

	test('a proxy that refuses the tunnel is named in the items and the Test button; nothing reaches RyzeAPI', async () => {
		proxy.configure({ refuseConnectWith: 403 });
		const result = await runInChild(input(), {
			NODE_EXTRA_CA_CERTS: ca.caFile,
			https_proxy: `http://127.0.0.1:${proxy.port}`,
		});
		const named = `through the proxy http://127.0.0.1:${proxy.port} (from https_proxy) (the proxy refused to connect to RyzeAPI (HTTP 403))`;
		expect(result.success).toEqual([]);
		expect(result.error.map((item) => item.error)).toEqual([
			expect.objectContaining({
				reason: 'network_error',
				httpStatus: null,
				message: expect.stringContaining(named),
			}),
			expect.objectContaining({
				reason: 'network_error',
				httpStatus: null,
				message: expect.stringContaining(named),
			}),
		]);
		expect(result.credentialTest).toEqual({
			status: 'Error',
			message: expect.stringContaining(named),
		});
		expect(httpsEmulator.log).toEqual([]);
	}, 120_000);
});
