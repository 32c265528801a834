/**
 * The core of the examples in one n8n of the version matrix (run by `npm run test:compat`, which
 * installs that n8n and says which in N8N_COMPAT_TARGET): the package as `npm pack` makes it,
 * installed the way n8n installs community packages, against the RyzeAPI emulator. The checks are
 * the end-to-end suite's own (test/support/n8n/checks.ts); the version matrix only changes the n8n.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ACCOUNT_TOKEN, RyzeApiEmulator } from '../support/emulator/server';
import {
	expectCredentialTestButton,
	expectNodeListed,
	expectSpreadsheetResults,
} from '../support/n8n/checks';
import {
	ERROR_OUTPUT_WORKFLOW_ID,
	errorOutputCredentials,
	errorOutputWorkflow,
	expectErrorOutputRouting,
} from '../support/n8n/errorOutputWorkflow';
import {
	csvExampleIn,
	exampleCredentials,
	inDaytime,
	joinsUnpaced,
	SAMPLE_CSV,
	SPREADSHEET_EXAMPLE,
} from '../support/n8n/examples';
import { forgetJoins } from '../support/n8n/ledgerWorkflow';
import { freePort, installAsCommunityPackage, N8n, packProject } from '../support/n8n/realN8n';
import type { CompatRun } from '../support/n8n/compatMatrix';
import { runOrThrow } from '../support/processes';

const target = JSON.parse(process.env.N8N_COMPAT_TARGET ?? 'null') as CompatRun | null;
const emulator = new RyzeApiEmulator();
let workDir: string;
let filesDir: string;
let n8n: N8n;

beforeEach(() => {
	emulator.reset();
	// Each `n8n execute` run starts from a fresh number, as the emulator's reset gives fresh groups.
	if (workDir && !n8n?.exited) forgetJoins(workDir);
});

beforeAll(async () => {
	if (!target)
		throw new Error('N8N_COMPAT_TARGET is not set: run this suite with `npm run test:compat`');
	workDir = mkdtempSync(join(tmpdir(), `ryzeapi-compat-${target.n8n}-`));
	filesDir = join(workDir, 'files');
	mkdirSync(filesDir);
	copyFileSync(SAMPLE_CSV, join(filesDir, SPREADSHEET_EXAMPLE.input));
	await emulator.start();
	await installAsCommunityPackage(workDir, await packProject(workDir));
	n8n = new N8n({
		installDir: target.installDir,
		userFolder: workDir,
		filesDir,
		port: await freePort(),
		env: target.env,
		nodeBinary: target.nodeBinary,
	});
	// The examples also name an OpenAI credential; nothing here calls it (the discard port).
	await n8n.importCredentials([
		...exampleCredentials({ ryzeApi: emulator.url, openAi: 'http://127.0.0.1:9/v1' }),
		...errorOutputCredentials(emulator.url),
	]);
	await n8n.importWorkflows([
		inDaytime(joinsUnpaced(csvExampleIn(SPREADSHEET_EXAMPLE, filesDir), 'kept')),
		errorOutputWorkflow(),
	]);
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await emulator.close();
	if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('the n8n under test is the version asked for, on the Node asked for', async () => {
	expect((await n8n.cli(['--version'])).trim().split('\n').pop()).toBe(target?.n8n);
	expect((await runOrThrow(target?.nodeBinary ?? process.execPath, ['--version'])).trim()).toBe(
		`v${target?.nodeVersion ?? process.versions.node}`,
	);
});

test('the spreadsheet example, by `n8n execute`: joins on Success, failures on Failed, the links beyond the join budget on Deferred, every row written back', async () => {
	const run = await n8n.execute(SPREADSHEET_EXAMPLE.id);
	expectSpreadsheetResults(run, filesDir, emulator);
	const outputs = run.data.resultData.runData['Join Group'][0].data?.main ?? [];
	const statuses = outputs.map((items) => (items ?? []).map((item) => item.json.status));
	expect(statuses).toEqual([
		['joined', 'pending_approval'],
		['failed', 'failed', 'failed'],
		['deferred', 'deferred'],
	]);
});

test('a refused token stops the run with what to fix, and no file is written', async () => {
	rmSync(join(filesDir, SPREADSHEET_EXAMPLE.output), { force: true });
	emulator.configure({ tokens: {} });
	const run = await n8n.execute(SPREADSHEET_EXAMPLE.id);
	expect(run.status).toBe('error');
	expect(run.data.resultData.error?.message).toMatch(/^RyzeAPI refused the credential: /);
	expect(JSON.stringify(run)).not.toContain(ACCOUNT_TOKEN);
	expect(run.data.resultData.runData['Write CSV']).toBeUndefined();
	expect(existsSync(join(filesDir, SPREADSHEET_EXAMPLE.output))).toBe(false);
	expect(emulator.joinRequests().length).toBeGreaterThan(0);
});

test("On Error = continue (using error output): a refused token and an instance given up on leave on n8n's Error output, a revoked link on Failed", async () => {
	expectErrorOutputRouting(await n8n.execute(ERROR_OUTPUT_WORKFLOW_ID), emulator);
});

describe('in a started n8n', () => {
	beforeAll(async () => {
		await n8n.start();
	}, 180_000);

	test("the credential's Test button: OK for a good token, what to fix for a refused one", async () => {
		await expectCredentialTestButton(n8n, emulator, ACCOUNT_TOKEN);
	});

	test('n8n lists the node, its AI tool variant, both triggers and the credential, with their icons', async () => {
		await expectNodeListed(n8n, workDir);
	});
});
