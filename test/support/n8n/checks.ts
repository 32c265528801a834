/**
 * What the end-to-end suite and the version matrix (`npm run test:compat`) both check in a real
 * n8n: the spreadsheet example's results, the credential's Test button, the node as the editor
 * lists it. Each takes the instance and the emulator, and asserts with jest's expect.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'csv-parse/sync';

import type { RyzeApiEmulator } from '../emulator/server';
import { MAIN_INSTANCE } from '../emulator/server';
import { SAMPLE_CSV, SPREADSHEET_EXAMPLE } from './examples';
import type { ExecutedRun, N8n } from './realN8n';
import { NODE_TYPE, POLLING_TRIGGER_NODE_TYPE, TRIGGER_NODE_TYPE } from './realN8n';
import { ownerSession, postJson } from './rest';

/** The invite codes of the sample CSV's rows that are invite links (the others cost no request). */
export const SAMPLE_CSV_CODES = [
	'OpenMarket8Kd2Lq0ZxW4y',
	'ApprovalBookClub7Hq3',
	'RevokedFootball2Xv9',
	'OpenGardeners5Tb8Kw',
	'OpenFamily3Np6Rz',
];

/**
 * The codes the spreadsheet example's first run sends, under Join Group's default budget of 3
 * joins an hour: the first three invite links, in file order; the other two wait.
 */
export const SAMPLE_CSV_JOINS_SENT = SAMPLE_CSV_CODES.slice(0, 3);

/**
 * The spreadsheet example ran (Join Group 1.2 with its default budget, a fresh ledger, in the
 * Active Hours) and wrote every CSV row back with its status, in file order: three joins sent,
 * the two links beyond the hour's budget deferred with when they may go.
 */
export function expectSpreadsheetResults(
	run: ExecutedRun,
	filesDir: string,
	emulator: RyzeApiEmulator,
): void {
	expect(run.data.resultData.error).toBeUndefined();
	expect(run.status).toBe('success');
	expect(run.data.resultData.runData['Join Group'][0].executionStatus).toBe('success');

	const written = parseCsv(readFileSync(join(filesDir, SPREADSHEET_EXAMPLE.output), 'utf8'));
	const sample = parseCsv(readFileSync(SAMPLE_CSV, 'utf8'));
	expect(written.map((row) => row.name)).toEqual(sample.map((row) => row.name));
	expect(written.map((row) => [row.status, row.reason])).toEqual([
		['joined', ''],
		['pending_approval', ''],
		['failed', 'revoked_or_expired'],
		['deferred', 'join_budget_reached'],
		['deferred', 'join_budget_reached'],
		['failed', 'invalid_identifier'],
		['failed', 'invalid_identifier'],
	]);
	expect(written[0].groupJid).toMatch(/^\d+@g\.us$/);
	expect(written[2].message).toBe('Invite link has been revoked or expired');
	// Deferred rows say when they may go: an hour's budget frees within the hour.
	for (const row of [written[3], written[4]]) {
		const wait = Date.parse(row.notBefore) - Date.now();
		expect(wait).toBeGreaterThan(0);
		expect(wait).toBeLessThanOrEqual(3_600_000);
	}
	// Requests in flight together may arrive in any order.
	expect(
		emulator
			.joinRequests()
			.map((request) => request.identifier)
			.sort(),
	).toEqual([...SAMPLE_CSV_JOINS_SENT].sort());
}

/** The credential's Test button, as the editor presses it: n8n's REST API, an owner's session. */
export async function expectCredentialTestButton(
	n8n: N8n,
	emulator: RyzeApiEmulator,
	token: string,
): Promise<void> {
	const session = await ownerSession(n8n);
	const testCredential = (withToken: string, instanceName = MAIN_INSTANCE) =>
		postJson(
			`${n8n.url}/rest/credentials/test`,
			{
				credentials: {
					id: 'ryzeApiEmulator',
					name: 'RyzeAPI (emulator)',
					type: 'ryzeApi',
					data: { baseUrl: emulator.url, instanceName, token: withToken },
				},
			},
			{ cookie: session },
		);
	const listsBefore = emulator.log.filter(
		(request) => request.path === '/api/group/list/main',
	).length;
	expect((await testCredential(token)).body).toEqual({
		data: { status: 'OK', message: expect.any(String) },
	});
	const refused = await testCredential('not-a-real-token');
	expect(refused.body).toEqual({
		data: { status: 'Error', message: expect.stringMatching(/RyzeAPI refused the token \(401/) },
	});
	expect(JSON.stringify(refused.body)).not.toContain('not-a-real-token');
	// The emulator's "offline" instance is not connected to WhatsApp: the right token and name, yet
	// the Test fails, saying what to do instead of blaming the credential.
	expect((await testCredential(token, 'offline')).body).toEqual({
		data: {
			status: 'Error',
			message: expect.stringMatching(
				/^Token and instance name are right, but instance "offline" is not connected to WhatsApp .*scan the QR code/,
			),
		},
	});
	expect(
		emulator.log.filter((request) => request.path === '/api/group/list/main').length - listsBefore,
	).toBe(2);
}

/** n8n lists the node, its AI tool variant, both triggers and the credential, and serves their icons. */
export async function expectNodeListed(n8n: N8n, userFolder: string): Promise<void> {
	// What n8n serves the editor, written by the started instance into its static cache.
	const types = join(userFolder, '.cache', 'n8n', 'public', 'types');
	const nodes = JSON.parse(readFileSync(join(types, 'nodes.json'), 'utf8')) as Array<
		Record<string, unknown>
	>;
	const credentials = JSON.parse(readFileSync(join(types, 'credentials.json'), 'utf8')) as Array<
		Record<string, unknown>
	>;
	const node = nodes.find((type) => type.name === NODE_TYPE);
	expect(node).toMatchObject({
		displayName: 'RyzeAPI',
		usableAsTool: true,
		codex: { categories: ['Communication'] },
	});
	expect(nodes.find((type) => type.name === `${NODE_TYPE}Tool`)).toMatchObject({
		outputs: ['ai_tool'],
	});
	const trigger = nodes.find((type) => type.name === TRIGGER_NODE_TYPE);
	expect(trigger).toMatchObject({
		displayName: 'RyzeAPI Trigger',
		group: ['trigger'],
		webhooks: [expect.objectContaining({ httpMethod: 'POST' })],
		codex: { categories: ['Communication'] },
	});
	const pollingTrigger = nodes.find((type) => type.name === POLLING_TRIGGER_NODE_TYPE);
	expect(pollingTrigger).toMatchObject({
		displayName: 'RyzeAPI Polling Trigger',
		group: ['trigger'],
		polling: true,
		codex: { categories: ['Communication'] },
	});
	expect(pollingTrigger).not.toHaveProperty('webhooks');
	const supportedNodes = credentials.find((type) => type.name === 'ryzeApi')?.supportedNodes;
	expect([...(supportedNodes as string[])].sort()).toEqual(
		[NODE_TYPE, TRIGGER_NODE_TYPE, POLLING_TRIGGER_NODE_TYPE].sort(),
	);
	const icons = [node, trigger, pollingTrigger].flatMap((type) => {
		const { light, dark } = type?.iconUrl as { light: string; dark: string };
		return [light, dark];
	});
	for (const icon of icons) {
		const response = await getIdempotent(`${n8n.url}/${icon}`);
		expect([response.status, response.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
		expect(await response.text()).toContain('<svg');
	}
}

/**
 * A GET, tried once more if the connection it reused was closed under it: n8n closes idle
 * keep-alive connections after 5 s, and on a loaded machine the test can pick one just then.
 */
async function getIdempotent(url: string): Promise<Response> {
	try {
		return await fetch(url, { signal: AbortSignal.timeout(30_000) });
	} catch (error) {
		const cause = (error as { cause?: { code?: string; message?: string } }).cause;
		const closedUnder =
			cause?.code === 'UND_ERR_SOCKET' ||
			cause?.code === 'ECONNRESET' ||
			cause?.message === 'other side closed';
		if (!closedUnder) throw error;
		return await fetch(url, { signal: AbortSignal.timeout(30_000) });
	}
}

/** Reads a CSV file with a header row (n8n writes one with a byte-order mark). */
export function parseCsv(text: string): Array<Record<string, string>> {
	return parse(text, { columns: true, bom: true, skip_empty_lines: true }) as Array<
		Record<string, string>
	>;
}
