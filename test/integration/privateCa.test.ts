/**
 * A self-hosted RyzeAPI behind a private CA (made by openssl for this file): n8n trusts it once
 * NODE_EXTRA_CA_CERTS names the CA, and without it the items and the Test button say that the
 * certificate is not trusted and how to fix it. Node reads that variable at process start only,
 * so the node runs in child processes started with and without it.
 */
import { ACCOUNT_TOKEN, MAIN_INSTANCE, RyzeApiEmulator } from '../support/emulator/server';
import { runInChild } from '../support/networkChild';
import type { PrivateCa } from '../support/privateCa';
import { makePrivateCa } from '../support/privateCa';

const emulator = new RyzeApiEmulator();
let ca: PrivateCa;

beforeAll(async () => {
	ca = await makePrivateCa();
	await emulator.start(0, ca.server);
});

afterAll(async () => {
	await emulator.close();
	ca?.remove();
});

beforeEach(() => emulator.reset());

const input = () => ({
	baseUrl: emulator.url,
	instanceName: MAIN_INSTANCE,
	token: ACCOUNT_TOKEN,
	links: ['https://chat.whatsapp.com/OpenPrivateCa1', 'RevokedPrivateCa2'],
});

test('with NODE_EXTRA_CA_CERTS naming the CA, joins and the Test button work over HTTPS', async () => {
	expect(emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
	const result = await runInChild(input(), { NODE_EXTRA_CA_CERTS: ca.caFile });
	expect(result.success).toEqual([
		expect.objectContaining({ status: 'joined', inviteCode: 'OpenPrivateCa1' }),
	]);
	expect(result.error).toEqual([
		expect.objectContaining({
			inviteCode: 'RevokedPrivateCa2',
			error: expect.objectContaining({ reason: 'revoked_or_expired', httpStatus: 400 }),
		}),
	]);
	expect(result.credentialTest.status).toBe('OK');
	expect(emulator.joinRequests().map((request) => request.identifier)).toEqual([
		'OpenPrivateCa1',
		'RevokedPrivateCa2',
	]);
}, 120_000);

test('without it, nothing is sent, and the items and the Test button say the certificate is not trusted and what to set', async () => {
	const result = await runInChild(input(), {});
	expect(result.success).toEqual([]);
	expect(result.error).toHaveLength(2);
	for (const item of result.error) {
		expect(item.error).toEqual({
			reason: 'network_error',
			httpStatus: null,
			message: expect.stringMatching(/certificate of RyzeAPI is not trusted/),
			hint: expect.stringMatching(/private CA/),
		});
		expect((item.error as { message: string }).message).toMatch(
			/NODE_EXTRA_CA_CERTS set to the path of that CA's certificate/,
		);
	}
	expect(result.credentialTest).toEqual({
		status: 'Error',
		message: expect.stringMatching(
			new RegExp(`certificate of RyzeAPI at ${emulator.url} is not trusted.*NODE_EXTRA_CA_CERTS`),
		),
	});
	// The TLS handshake failed before any request: the token never left.
	expect(emulator.log).toEqual([]);
}, 120_000);
