/**
 * End to end, in a real n8n 2.8.4 (run by `npm run test:e2e`, which installs it into the cache
 * and says where in N8N_E2E_INSTALL_DIR): the package as `npm pack` makes it, installed the way
 * n8n installs community packages; the example workflows imported with n8n's CLI and run against
 * the RyzeAPI emulator, by `n8n execute` and through a started n8n's webhooks.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { OpenAiStandIn } from '../support/emulator/openAiStandIn';
import { ACCOUNT_TOKEN, MAIN_INSTANCE, RyzeApiEmulator } from '../support/emulator/server';
import {
	expectCredentialTestButton,
	expectNodeListed,
	expectSpreadsheetResults,
	parseCsv,
	SAMPLE_CSV_CODES,
	SAMPLE_CSV_JOINS_SENT,
} from '../support/n8n/checks';
import {
	ERROR_OUTPUT_WORKFLOW_ID,
	errorOutputCredentials,
	errorOutputWorkflow,
	expectErrorOutputRouting,
} from '../support/n8n/errorOutputWorkflow';
import { ownerSession, postJson } from '../support/n8n/rest';
import {
	AGENT_EXAMPLE,
	exampleCredentials,
	inDaytime,
	joinsUnpaced,
	nodeOfType,
	readExample,
	SAMPLE_CSV,
	csvExampleIn,
	DRIP_FEED_EXAMPLE,
	dripFeedExampleIn,
	PREVIEW_CSV,
	PREVIEW_EXAMPLE,
	SPREADSHEET_EXAMPLE,
	WEBHOOK_AUTH,
	WEBHOOK_EXAMPLE,
} from '../support/n8n/examples';
import { forgetJoins } from '../support/n8n/ledgerWorkflow';
import { ForwardingProxy } from '../support/forwardingProxy';
import { runOrThrow } from '../support/processes';
import type { PackedPackage } from '../support/n8n/realN8n';
import {
	freePort,
	installAsCommunityPackage,
	N8n,
	PACKAGE_NAME,
	packProject,
	REPO_ROOT,
} from '../support/n8n/realN8n';

const installDir = process.env.N8N_E2E_INSTALL_DIR;
const emulator = new RyzeApiEmulator();
const model = new OpenAiStandIn();
let workDir: string;
let filesDir: string;
let packed: PackedPackage;
let n8n: N8n;

beforeEach(() => {
	emulator.reset();
	// Each `n8n execute` run starts from a fresh number, as the emulator's reset gives fresh groups;
	// once n8n is started it holds the ledger, and its tests use codes of their own.
	if (workDir && !n8n?.exited) forgetJoins(workDir);
});

beforeAll(async () => {
	if (!installDir)
		throw new Error('N8N_E2E_INSTALL_DIR is not set: run this suite with `npm run test:e2e`');
	workDir = mkdtempSync(join(tmpdir(), 'ryzeapi-e2e-'));
	filesDir = join(workDir, 'files');
	mkdirSync(filesDir);
	copyFileSync(SAMPLE_CSV, join(filesDir, SPREADSHEET_EXAMPLE.input));
	copyFileSync(PREVIEW_CSV, join(filesDir, PREVIEW_EXAMPLE.input));
	await emulator.start();
	await model.start();
	packed = await packProject(workDir);
	await installAsCommunityPackage(workDir, packed);
	n8n = new N8n({ installDir, userFolder: workDir, filesDir, port: await freePort() });

	// The examples one instance runs all day share its join budget: the ledger suites test it.
	const agent = joinsUnpaced(readExample(AGENT_EXAMPLE.file), 'none');
	// The example's chat is private to the editor; the test reaches it over HTTP, as an embedded chat.
	Object.assign(nodeOfType(agent, 'chatTrigger').parameters, { public: true, mode: 'webhook' });
	await n8n.importCredentials([
		...exampleCredentials({ ryzeApi: emulator.url, openAi: model.url }),
		...errorOutputCredentials(emulator.url),
	]);
	await n8n.importWorkflows([
		errorOutputWorkflow(),
		joinsUnpaced(readExample(WEBHOOK_EXAMPLE.file), 'none'),
		inDaytime(joinsUnpaced(csvExampleIn(SPREADSHEET_EXAMPLE, filesDir), 'kept')),
		inDaytime(joinsUnpaced(csvExampleIn(PREVIEW_EXAMPLE, filesDir), 'kept')),
		inDaytime(joinsUnpaced(dripFeedExampleIn(filesDir), 'kept')),
		agent,
	]);
	await n8n.publishWorkflow(WEBHOOK_EXAMPLE.id);
	await n8n.publishWorkflow(AGENT_EXAMPLE.id);
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await emulator.close();
	await model.close();
	if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('the tarball holds the built package only: no sources, tests, emulator or examples', () => {
	const packedFiles = packed.files;
	expect(packedFiles).toEqual(
		expect.arrayContaining([
			'package.json',
			'dist/nodes/RyzeApi/RyzeApi.node.js',
			'dist/nodes/RyzeApi/RyzeApiTrigger.node.js',
			'dist/credentials/RyzeApi.credentials.js',
		]),
	);
	const unexpected = packedFiles.filter(
		(path) =>
			!/^(dist\/.+\.(js|js\.map|svg|json)|package\.json|README\.md|LICENSE|CHANGELOG\.md|index\.js)$/.test(
				path,
			),
	);
	expect(unexpected).toEqual([]);
	expect(packedFiles.filter((path) => path.endsWith('.ts'))).toEqual([]);
});

test('installed as n8n installs community packages: its production dependencies, no peer, no dev tools', () => {
	const installed = join(workDir, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME, 'node_modules');
	const ours = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
		dependencies: Record<string, string>;
	};
	// n8n installs with --install-strategy=shallow: our dependencies beside us, theirs inside them.
	expect(packagesIn(installed)).toEqual(Object.keys(ours.dependencies).sort());
	for (const [name, version] of Object.entries(ours.dependencies)) {
		const installedVersion = (
			JSON.parse(readFileSync(join(installed, name, 'package.json'), 'utf8')) as {
				version: string;
			}
		).version;
		expect([name, installedVersion]).toEqual([name, version]);
	}
});

test("the README's manual install (npm install --omit=peer) adds the package and its dependencies, not a second n8n-workflow", async () => {
	// A plain `npm install` would add the n8n-workflow peer (the newest), shadowing n8n's own copy.
	const nodesDir = join(workDir, 'manual-install');
	mkdirSync(nodesDir);
	await runOrThrow(
		'npm',
		[
			'install',
			'--omit=peer',
			'--no-audit',
			'--no-fund',
			'--prefer-offline',
			'--loglevel=error',
			packed.tarball,
		],
		{ cwd: nodesDir, timeoutMs: 300_000 },
	);
	expect(packagesIn(join(nodesDir, 'node_modules'))).toEqual(
		[PACKAGE_NAME, ...productionPackages()].sort(),
	);
});

test('the spreadsheet example, run by `n8n execute`, writes every CSV row back with its status, in file order', async () => {
	expectSpreadsheetResults(await n8n.execute(SPREADSHEET_EXAMPLE.id), filesDir, emulator);
});

test('behind HTTP_PROXY, n8n and the node send the joins through the proxy', async () => {
	const proxy = await new ForwardingProxy().start();
	try {
		// Another CLI process of the same n8n, started with the proxy variable as a user would.
		const proxied = new N8n({
			installDir: installDir as string,
			userFolder: workDir,
			filesDir,
			port: await freePort(),
			env: { HTTP_PROXY: proxy.url },
		});
		const run = await proxied.execute(SPREADSHEET_EXAMPLE.id);
		expect(run.status).toBe('success');
		const joins = proxy.forwarded.filter((request) => request.url.includes('/api/group/join/'));
		expect(joins.map((request) => [request.method, request.url])).toEqual(
			Array(SAMPLE_CSV_JOINS_SENT.length).fill([
				'POST',
				`${emulator.url}/api/group/join/${MAIN_INSTANCE}`,
			]),
		);
		expect(emulator.joinRequests()).toHaveLength(SAMPLE_CSV_JOINS_SENT.length);
	} finally {
		await proxy.close();
	}
});

test('the preview example joins only open, small groups and writes every row back with why', async () => {
	const run = await n8n.execute(PREVIEW_EXAMPLE.id);
	expect(run.data.resultData.error).toBeUndefined();
	expect(run.status).toBe('success');

	const written = parseCsv(readFileSync(join(filesDir, PREVIEW_EXAMPLE.output), 'utf8'));
	const sample = parseCsv(readFileSync(PREVIEW_CSV, 'utf8'));
	// The sheet's own "name" column survives the preview (the group's name is groupName).
	expect(written.map((row) => row.name)).toEqual(sample.map((row) => row.name));
	expect(written.map((row) => [row.status, row.members, row.adminApproval, row.reason])).toEqual([
		['joined', '5', 'false', ''],
		['skipped', '1000', 'false', ''],
		['skipped', '5', 'true', ''],
		['failed', '', '', 'revoked_or_expired'],
		['joined', '5', 'false', ''],
		['failed', '', '', 'invalid_identifier'],
	]);
	expect(written[0].groupName).toBe('Group OpenMarket8Kd2Lq0ZxW4y');
	expect(written[1].message).toBe('Not joined: 1000 members, more than 256');
	expect(written[2].message).toBe('Not joined: an admin must approve new members');
	// Five previews (the phone number costs none), then joins of the two open, small groups only.
	const infoRequests = emulator.log.filter((entry) => entry.path.startsWith('/api/group/info/'));
	expect(infoRequests).toHaveLength(5);
	expect(
		emulator
			.joinRequests()
			.map((request) => request.identifier)
			.sort(),
	).toEqual(['OpenFamily3Np6Rz', 'OpenMarket8Kd2Lq0ZxW4y']);
	expect(emulator.isMember(MAIN_INSTANCE, 'OpenMarket8Kd2Lq0ZxW4y')).toBe(true);
	expect(emulator.isMember(MAIN_INSTANCE, 'OpenBigPromo4Rt7Yq')).toBe(false);
});

test('the drip-feed example, run again and again by `n8n execute`: each run sends only the rows not done yet, the budget holds across runs, every row is written back', async () => {
	const list = join(filesDir, DRIP_FEED_EXAMPLE.list);
	copyFileSync(SAMPLE_CSV, list);
	const run = async () => {
		const executed = await n8n.execute(DRIP_FEED_EXAMPLE.id);
		expect(executed.data.resultData.error).toBeUndefined();
		expect(executed.status).toBe('success');
		// Each row: its name, status, reason, and whether it says when it may go (deferred rows only).
		return parseCsv(readFileSync(list, 'utf8')).map((row) => [
			row.name,
			row.status,
			row.reason,
			row.notBefore === '' ? '' : 'notBefore',
		]);
	};
	const sent = () => emulator.joinRequests().map((request) => request.identifier);
	const names = parseCsv(readFileSync(SAMPLE_CSV, 'utf8')).map((row) => row.name);
	const done = [
		[names[0], 'joined', '', ''],
		[names[1], 'pending_approval', '', ''],
		[names[2], 'failed', 'revoked_or_expired', ''],
	];
	const invalid = [
		[names[5], 'failed', 'invalid_identifier', ''],
		[names[6], 'failed', 'invalid_identifier', ''],
	];
	const waiting = [
		[names[3], 'deferred', 'join_budget_reached', 'notBefore'],
		[names[4], 'deferred', 'join_budget_reached', 'notBefore'],
	];

	// The first hour: the budget's three joins, the other two links wait.
	expect(await run()).toEqual([...done, ...waiting, ...invalid]);
	expect([...sent()].sort()).toEqual([...SAMPLE_CSV_JOINS_SENT].sort());
	// Again within the hour: the ledger kept the budget spent; nothing is sent, no row is lost.
	expect(await run()).toEqual([...done, ...waiting, ...invalid]);
	expect(sent()).toHaveLength(SAMPLE_CSV_JOINS_SENT.length);
	// With the budget free again (the ledger forgotten here, as an hour later), only the two rows
	// waiting go: the list itself says which rows are done.
	forgetJoins(workDir);
	expect(await run()).toEqual([
		...done,
		[names[3], 'joined', '', ''],
		[names[4], 'joined', '', ''],
		...invalid,
	]);
	expect(sent().slice(SAMPLE_CSV_JOINS_SENT.length).sort()).toEqual(
		SAMPLE_CSV_CODES.slice(SAMPLE_CSV_JOINS_SENT.length).sort(),
	);
});

test("On Error = continue (using error output): a refused token and an instance given up on leave on n8n's Error output, a revoked link on Failed", async () => {
	expectErrorOutputRouting(await n8n.execute(ERROR_OUTPUT_WORKFLOW_ID), emulator);
});

describe('in a started n8n', () => {
	beforeAll(async () => {
		await n8n.start();
		// Webhooks of published workflows are registered just after n8n says it is ready.
		await n8n.waitForActivation(WEBHOOK_EXAMPLE.id);
		await n8n.waitForActivation(AGENT_EXAMPLE.id);
	}, 180_000);

	test('the webhook example joins the posted link and answers with the result', async () => {
		const answers = [];
		for (const body of [
			{ link: 'https://chat.whatsapp.com/OpenWebhookGroup1' },
			{ code: 'ApprovalWebhook2' },
			{ link: 'chat.whatsapp.com/RevokedWebhook3' },
			{ link: 'https://wa.me/5511912345678' },
		]) {
			answers.push(await callWebhook(body));
		}
		expect(answers.map((answer) => answer.status)).toEqual([200, 200, 422, 400]);
		expect(answers[0].body).toEqual({
			status: 'joined',
			groupJid: expect.stringMatching(/@g\.us$/),
			inviteCode: 'OpenWebhookGroup1',
			requiresApproval: false,
		});
		expect(answers[1].body).toMatchObject({
			status: 'pending_approval',
			inviteCode: 'ApprovalWebhook2',
			requiresApproval: true,
		});
		expect(answers[2].body).toEqual({
			status: 'failed',
			reason: 'revoked_or_expired',
			message: 'Invite link has been revoked or expired',
			inviteCode: 'RevokedWebhook3',
		});
		expect(answers[3].body).toMatchObject({
			status: 'failed',
			reason: 'invalid_identifier',
			inviteCode: null,
		});
		expect(emulator.joinRequests().map((request) => request.identifier)).toEqual([
			'OpenWebhookGroup1',
			'ApprovalWebhook2',
			'RevokedWebhook3',
		]);
		expect(
			emulator.joinRequests().every((request) => request.path === '/api/group/join/main'),
		).toBe(true);
	});

	test('the webhook example refuses callers without its Header Auth header: 403, and nothing reaches RyzeAPI', async () => {
		const body = { link: 'https://chat.whatsapp.com/OpenIntruder1' };
		const refused = [
			await callWebhook(body, {}),
			await callWebhook(body, { [WEBHOOK_AUTH.header]: 'a-guessed-value' }),
			await callWebhook(body, { authorization: `Bearer ${WEBHOOK_AUTH.value}` }),
		];
		expect(refused.map((answer) => answer.status)).toEqual([403, 403, 403]);
		expect(emulator.log).toEqual([]);
		// The same call with the header joins: the refusals were the header's doing.
		expect((await callWebhook(body)).status).toBe(200);
		expect(emulator.joinRequests().map((request) => request.identifier)).toEqual(['OpenIntruder1']);
	});

	test('the webhook example still answers when RyzeAPI refuses the token: 502, reason unauthorized', async () => {
		// The example's node continues on error, so a refused token becomes an answer, not a failed run.
		emulator.configure({ tokens: {} });
		const answer = await callWebhook({
			link: 'https://chat.whatsapp.com/OpenWebhookGroup4',
		});
		expect(answer.status).toBe(502);
		expect(answer.body).toMatchObject({
			status: 'failed',
			reason: 'unauthorized',
			inviteCode: 'OpenWebhookGroup4',
		});
		expect(emulator.joinRequests()).toHaveLength(1);
	});

	test('the AI agent example calls the node as a tool and hears back both joins and failures', async () => {
		const webhookId = nodeOfType(readExample(AGENT_EXAMPLE.file), 'chatTrigger').webhookId;
		const chat = (chatInput: string) =>
			postJson(`${n8n.url}/webhook/${webhookId}/chat`, {
				action: 'sendMessage',
				sessionId: 'e2e',
				chatInput,
			});

		const joined = await chat('Please join https://chat.whatsapp.com/OpenAgentGroup1');
		expect(joined.status).toBe(200);
		const joinedReply = String((joined.body as { output?: unknown }).output);
		expect(joinedReply).toContain('"status":"joined"');
		expect(joinedReply).toContain('"inviteCode":"OpenAgentGroup1"');

		const refused = await chat('Join this one too: RevokedAgentGroup2');
		const refusedReply = String((refused.body as { output?: unknown }).output);
		expect(refusedReply).toContain('"status":"failed"');
		expect(refusedReply).toContain('revoked_or_expired');

		expect(emulator.joinRequests().map((request) => request.identifier)).toEqual([
			'OpenAgentGroup1',
			'RevokedAgentGroup2',
		]);
		// The model was offered the node as a tool, and got the tool's answer back.
		const toolResults = model.log.flatMap((request) => request.toolResult ?? []);
		expect(toolResults).toHaveLength(2);
		expect(model.log[0].toolNames).toHaveLength(1);
		// Only the tool's result, as n8n hands it to the model (its items as JSON): none of the chat
		// item's fields the node ran with, nor the tool call's own input.
		const handed = toolResults.map(
			(result) => JSON.parse(result) as Array<Record<string, unknown>>,
		);
		const keys = handed.map((items) => items.map((item) => Object.keys(item).sort()));
		for (const chatField of ['chatInput', 'sessionId', 'action', 'toolCallId'])
			expect(keys.flat(2)).not.toContain(chatField);
		expect(keys).toEqual([
			[['fromLedger', 'groupJid', 'inviteCode', 'message', 'requiresApproval', 'status']],
			[['error', 'inviteCode', 'status']],
		]);
		expect(handed[0][0]).toMatchObject({ status: 'joined', inviteCode: 'OpenAgentGroup1' });
		expect(handed[1][0]).toMatchObject({ error: { reason: 'revoked_or_expired' } });
	});

	test("the credential's Test button in n8n: OK for a good token, what to fix for a refused one", async () => {
		await expectCredentialTestButton(n8n, emulator, ACCOUNT_TOKEN);
	});

	test('n8n lists the node, its AI tool variant, both triggers and the credential, with their icons and codex', async () => {
		await expectNodeListed(n8n, workDir);
	});

	// Last: it deletes the credential the examples use.
	test('the webhook example answers 500 when the node itself fails (its credential deleted)', async () => {
		const deleted = await fetch(`${n8n.url}/rest/credentials/ryzeApiEmulator`, {
			method: 'DELETE',
			headers: { cookie: await ownerSession(n8n) },
		});
		expect(deleted.status).toBe(200);
		const answer = await callWebhook({
			link: 'https://chat.whatsapp.com/OpenWebhookGroup5',
		});
		expect(answer.status).toBe(500);
		expect(answer.body).toMatchObject({
			status: 'failed',
			reason: 'node_error',
			message: expect.any(String),
		});
		expect(emulator.joinRequests()).toHaveLength(0);
	});
});

/** The top-level entries of a node_modules folder (scopes as themselves), sorted. */
function packagesIn(nodeModules: string): string[] {
	return readdirSync(nodeModules)
		.filter((name) => !name.startsWith('.'))
		.sort();
}

/**
 * The packages our production dependencies bring, by the lockfile (its entries not marked dev or
 * peer), as top-level entries of node_modules: what an install of the package adds beside it.
 */
function productionPackages(): string[] {
	const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
		packages: Record<string, { dev?: boolean; devOptional?: boolean; peer?: boolean }>;
	};
	const entries = Object.entries(lock.packages)
		.filter(([path, entry]) => path !== '' && !entry.dev && !entry.devOptional && !entry.peer)
		.map(([path]) => path.replace(/^node_modules\//, '').split('/node_modules/')[0])
		.map((name) => (name.startsWith('@') ? name.split('/')[0] : name));
	return [...new Set(entries)].sort();
}

/** Calls the webhook example as its callers must: with the Header Auth header, unless told otherwise. */
async function callWebhook(
	body: unknown,
	headers: Record<string, string> = { [WEBHOOK_AUTH.header]: WEBHOOK_AUTH.value },
): Promise<{ status: number; body: unknown }> {
	return await postJson(`${n8n.url}/webhook/${WEBHOOK_EXAMPLE.path}`, body, headers);
}
