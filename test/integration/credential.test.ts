/**
 * The RyzeAPI credential: its fields, the generic authentication other nodes reuse (resolved by
 * n8n's expression engine), and the "Test" button (GET /api/group/list/{instance}) against the
 * emulator, with a message that says what to fix.
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, INode } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { RyzeApi as RyzeApiCredential } from '../../credentials/RyzeApi.credentials';
import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import { ACCOUNT_TOKEN, INSTANCE_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import { useEmulator } from '../support/useEmulator';

const emulator = useEmulator();
const credentialType = new RyzeApiCredential();
const node = new RyzeApi();

async function testButton(data: Record<string, string>) {
	const credential: ICredentialsDecrypted = {
		id: 'cred-1',
		name: 'RyzeAPI',
		type: 'ryzeApi',
		data,
	};
	return await node.methods.credentialTest.ryzeApiCredentialTest.call(
		{} as ICredentialTestFunctions,
		credential,
	);
}

test('names and fields saved workflows depend on', () => {
	expect(credentialType.name).toBe('ryzeApi');
	expect(credentialType.displayName).toBe('RyzeAPI');
	// In the dialog's order: Base URL, which almost nobody changes, last.
	expect(credentialType.properties.map((property) => [property.name, property.default])).toEqual([
		['instanceName', ''],
		['token', ''],
		['baseUrl', 'https://ryzeapi.cloud'],
	]);
	expect(credentialType.properties[1].typeOptions?.password).toBe(true);
	expect(credentialType.properties[1].hint).toMatch(/TokenInstance.*created.*TokenAccount/);
	// Where a user finds it, in their words: no field of an API answer.
	expect(credentialType.properties[1].hint).not.toMatch(/data\.token|\.token\b/);
	// n8n runs a credential's own declarative test instead of testedBy when both exist.
	expect(credentialType).not.toHaveProperty('test');
	expect(node.description.credentials).toEqual([
		{ name: 'ryzeApi', required: true, testedBy: 'ryzeApiCredentialTest' },
		// From 1.2, n8n's own Redis credential, only when the join ledger is kept in a Redis of the user's.
		{ name: 'redis', required: true, displayOptions: { show: { joinLedger: ['redis'] } } },
	]);
});

test("authenticate puts the trimmed token in the token header, as n8n's expression engine resolves it", () => {
	const anyNode: INode = {
		id: 'n',
		name: 'HTTP Request',
		type: 'test',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const nodeTypes = {
		getByName: () => node,
		getByNameAndVersion: () => node,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [anyNode], connections: {}, active: false, nodeTypes });
	const authenticate = credentialType.authenticate;
	expect(authenticate.type).toBe('generic');
	const headers = Object.entries(authenticate.properties.headers ?? {}).map(([name, value]) => [
		name,
		workflow.expression.getSimpleParameterValue(anyNode, value as string, 'internal', {
			$credentials: { token: ` ${ACCOUNT_TOKEN}\n` },
		}),
	]);
	expect(headers).toEqual([['token', ACCOUNT_TOKEN]]);
});

describe('the Test button', () => {
	test('a valid token and instance pass, calling GET /api/group/list/{instance} with the token header', async () => {
		const result = await testButton({
			baseUrl: emulator.url,
			instanceName: MAIN_INSTANCE,
			token: ACCOUNT_TOKEN,
		});
		expect(result).toEqual({
			status: 'OK',
			message: 'Connection successful: instance "main" answered.',
		});
		expect(emulator.log).toEqual([
			expect.objectContaining({
				method: 'GET',
				path: `/api/group/list/${MAIN_INSTANCE}`,
				token: ACCOUNT_TOKEN,
			}),
		]);
	});

	test('a trailing slash, spaces around the values and an instance name with a space work', async () => {
		emulator.configure({ instances: { 'my phone': 'connected' } });
		const result = await testButton({
			baseUrl: `${emulator.url}/`,
			instanceName: ' my phone ',
			token: ` ${ACCOUNT_TOKEN}\n`,
		});
		expect(result.status).toBe('OK');
		expect(emulator.log[0].path).toBe('/api/group/list/my%20phone');
		expect(emulator.log[0].token).toBe(ACCOUNT_TOKEN);
	});

	test.each([
		[{ token: 'wrong-SECRET-token' }, /refused the token \(401: Invalid token\)/],
		// A wrong token is told first, whatever the phone does.
		[{ token: 'wrong-SECRET-token', instanceName: 'offline' }, /refused the token \(401/],
		[{ token: INSTANCE_TOKEN, instanceName: 'second' }, /may not act on instance "second" \(403/],
		[{ instanceName: 'nobody' }, /does not know instance "nobody" \(404: Instance not found\)/],
	])('%j fails with a message that says what to fix', async (overrides, message) => {
		const result = await testButton({
			baseUrl: emulator.url,
			instanceName: MAIN_INSTANCE,
			token: ACCOUNT_TOKEN,
			...overrides,
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(message);
		// The first words name what to fix: they are what n8n's dialog shows first.
		expect(result.message).toMatch(/^Check the (Token|Instance Name)/);
		expect(result.message).not.toContain('SECRET');
	});

	test.each([
		['offline', 400, 'Instance disconnected'],
		['broken', 503, 'Instance not connected'],
	])(
		'instance %s, not connected to WhatsApp, is an Error that does not blame the credential',
		async (instanceName, status, said) => {
			const result = await testButton({
				baseUrl: emulator.url,
				instanceName,
				token: ACCOUNT_TOKEN,
			});
			expect(result).toEqual({
				status: 'Error',
				message:
					`Token and instance name are right, but instance "${instanceName}" is not connected to WhatsApp (${status}: ${said}). ` +
					'Connect it: scan the QR code in the RyzeAPI dashboard, then test again.',
			});
			expect(emulator.log).toEqual([
				expect.objectContaining({ path: `/api/group/list/${instanceName}`, status }),
			]);
		},
	);

	test('the same instance passes once it connects, and fails again once it disconnects', async () => {
		const data = { baseUrl: emulator.url, instanceName: 'offline', token: ACCOUNT_TOKEN };
		emulator.reportInstanceState('offline', 'connected');
		expect((await testButton(data)).status).toBe('OK');
		emulator.reportInstanceState('offline', 'logged_out');
		expect(await testButton(data)).toEqual({
			status: 'Error',
			message: expect.stringMatching(/^Token and instance name are right, but instance "offline"/),
		});
	});

	test.each([
		[{ baseUrl: 'ryzeapi.cloud' }, /not a URL/],
		[{ baseUrl: 'ftp://ryzeapi.cloud' }, /must start with https:\/\//],
		[{ baseUrl: 'https://me:SECRET@ryzeapi.cloud' }, /user name or password/],
		[{ token: '' }, /no token/],
		[{ token: 'two SECRET words' }, /spaces, line breaks/],
		[{ instanceName: '  ' }, /No instance name/],
	])('%j is refused before any request', async (overrides, message) => {
		const result = await testButton({
			baseUrl: emulator.url,
			instanceName: MAIN_INSTANCE,
			token: ACCOUNT_TOKEN,
			...overrides,
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(message);
		expect(result.message).not.toContain('SECRET');
		expect(emulator.log).toHaveLength(0);
	});

	test('a redirect is not followed: the token goes to the configured server only', async () => {
		emulator.queueFault('redirect');
		const result = await testButton({
			baseUrl: emulator.url,
			instanceName: MAIN_INSTANCE,
			token: ACCOUNT_TOKEN,
		});
		expect(result).toEqual({
			status: 'Error',
			message: expect.stringMatching(/redirect .*not followed/),
		});
		expect(emulator.log).toHaveLength(1);
	});

	test('an HTML page where RyzeAPI should be is reported as a wrong base URL', async () => {
		const result = await testButton({
			baseUrl: `${emulator.url}/not-the-api`,
			instanceName: MAIN_INSTANCE,
			token: ACCOUNT_TOKEN,
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^Check the Base URL: .*answered 404 and not like RyzeAPI/);
	});
});
