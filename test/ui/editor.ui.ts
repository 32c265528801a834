/**
 * The node in n8n's real editor (n8n 2.8.4, the packed package installed as n8n installs it),
 * in Debian's Chromium driven by playwright-core, as a new user meets it: found in the nodes
 * panel, added, its outputs labelled and never rewired by a mode switch, its options in reading
 * order, and its credential dialog. Run by `npm run test:ui`; screenshots in .n8n-ui-screenshots/.
 */
import type { Locator, Page } from 'playwright-core';

import { NODE_TYPE } from '../support/n8n/realN8n';
import { EditorSession } from '../support/n8n/editorSession';

const installDir = process.env.N8N_E2E_INSTALL_DIR;
let session: EditorSession;
let page: Page;
let credential: { id: string; name: string };

beforeAll(async () => {
	if (!installDir)
		throw new Error('N8N_E2E_INSTALL_DIR is not set: run this suite with `npm run test:ui`');
	session = new EditorSession(installDir);
	await session.start();
	page = session.page;
	page.setDefaultTimeout(20_000);
	credential = await session.createCredential('RyzeAPI (emulator)');
}, 600_000);

afterAll(async () => {
	await session?.stop();
});

afterEach(async () => {
	const name = expect
		.getState()
		.currentTestName?.replace(/[^a-z0-9]+/gi, '-')
		.slice(0, 80);
	if (name && page) await session.screenshot(name);
});

/** n8n marks its elements with data-test-id. */
function byTestId(id: string): Locator {
	return page.locator(`[data-test-id="${id}"]`);
}

function canvasNode(name: string): Locator {
	return page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
}

/** The labels on a canvas node's outputs, by index (an item count, once run, is left out). */
async function outputLabels(nodeName: string): Promise<string[]> {
	const handles = page.locator(
		`[data-test-id="canvas-node-output-handle"][data-node-name="${nodeName}"]`,
	);
	await handles.first().waitFor();
	const labelled = await handles.evaluateAll((elements) =>
		elements.map((element) => [
			Number(element.getAttribute('data-index')),
			(element as unknown as { innerText: string }).innerText.trim().split('\n')[0],
		]),
	);
	return labelled.sort(([a], [b]) => Number(a) - Number(b)).map(([, label]) => String(label));
}

/** The canvas redraws after a change: waits (bounded) until the labels are the expected ones. */
async function expectOutputLabels(nodeName: string, expected: string[]): Promise<void> {
	let labels: string[] = [];
	for (let tries = 0; tries < 40; tries++) {
		labels = await outputLabels(nodeName);
		if (JSON.stringify(labels) === JSON.stringify(expected)) break;
		await page.waitForTimeout(250);
	}
	expect(labels).toEqual(expected);
}

/** The item count on the connection between two nodes, after a run ("1 item"). */
async function itemsOnEdge(source: string, target: string): Promise<string> {
	const label = page.locator(
		`[data-test-id="edge-label"][data-source-node-name="${source}"][data-target-node-name="${target}"]`,
	);
	await label.filter({ hasText: /item/ }).waitFor();
	return (await label.innerText()).trim();
}

interface EditorRoot {
	__vue_app__?: {
		config: { globalProperties: { $router?: { push(to: string): Promise<unknown> } } };
	};
}

/**
 * Goes to an editor page as the editor's own links do, through its router, once the editor is
 * loaded; loads the page only the first time or to reload the page shown. A load takes 10-20 s on
 * two busy cores, a route change under a second.
 */
async function go(path: string): Promise<void> {
	const here = page.url().startsWith(session.n8n.url) ? new URL(page.url()).pathname : undefined;
	// A dialog (one a failed test left open) outlives a route change: a load closes it.
	const dialogOpen = (await page.locator('#app-modals [role="dialog"]:visible').count()) > 0;
	const routed =
		here !== undefined &&
		here !== path &&
		!dialogOpen &&
		(await page.evaluate(async (to) => {
			const { document } = globalThis as unknown as {
				document: { querySelector(selector: string): EditorRoot | null };
			};
			const router = document.querySelector('#app')?.__vue_app__?.config.globalProperties.$router;
			if (!router) return false;
			await router.push(to);
			return true;
		}, path));
	if (!routed) await page.goto(`${session.n8n.url}${path}`);
}

/** Closes the credential dialog (Escape, as a user may). */
async function closeCredentialDialog(): Promise<void> {
	await page.keyboard.press('Escape');
	await byTestId('credential-edit-dialog').waitFor({ state: 'hidden' });
}

async function openWorkflow(id: string): Promise<void> {
	await go(`/workflow/${id}`);
	await byTestId('canvas-node').first().waitFor();
}

async function closeNodeView(): Promise<void> {
	await byTestId('ndv-close-button').click();
	await byTestId('ndv-close-button').waitFor({ state: 'hidden' });
}

/** Opens a canvas node's view; resolves once the parameter `shown` (a data-test-id) is there. */
async function openNodeView(nodeName: string, shown: string): Promise<void> {
	await canvasNode(nodeName).dblclick();
	await byTestId(shown).waitFor();
}

/** Picks an entry of the select (options or multiOptions) whose list is open. */
async function choose(text: string): Promise<void> {
	await page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).click();
}

/** How many items named `name` the nodes panel, open, lists for `words`. */
async function panelFinds(words: string, name: string): Promise<number> {
	await byTestId('node-creator-search-bar').fill(words);
	return await byTestId('node-creator-item-name').filter({ hasText: name }).count();
}

/** The text n8n shows for a node's output, in its node view (table mode). */
async function outputOf(nodeName: string): Promise<string> {
	await canvasNode(nodeName).dblclick();
	const output = byTestId('output-panel');
	await output
		.getByText(/\d+ items?/)
		.first()
		.waitFor();
	const text = await output.innerText();
	await closeNodeView();
	return text;
}

/** Manual trigger → rows → Join Group, with Join Group's outputs 0 and 1 wired to two nodes. */
function wiredWorkflow(name: string, joinNode: Record<string, unknown> = {}) {
	const rows = [{ link: 'OpenAlpha' }, { link: 'ApprovalBeta' }, { link: 'RevokedGamma' }];
	return {
		name,
		nodes: [
			{
				id: 'start',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'rows',
				name: 'Links',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: { jsCode: `return ${JSON.stringify(rows.map((json) => ({ json })))};` },
			},
			{
				id: 'join',
				name: 'Join Group',
				type: NODE_TYPE,
				typeVersion: 1.1,
				position: [440, 0],
				parameters: { resource: 'group', operation: 'join', identifier: '={{ $json.link }}' },
				credentials: { ryzeApi: credential },
				...joinNode,
			},
			{
				id: 'joined',
				name: 'Joined rows',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [700, -120],
				parameters: {},
			},
			{
				id: 'failed',
				name: 'Failed rows',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [700, 120],
				parameters: {},
			},
		],
		connections: {
			Start: { main: [[{ node: 'Links', type: 'main', index: 0 }]] },
			Links: { main: [[{ node: 'Join Group', type: 'main', index: 0 }]] },
			'Join Group': {
				main: [
					[{ node: 'Joined rows', type: 'main', index: 0 }],
					[{ node: 'Failed rows', type: 'main', index: 0 }],
				],
			},
		},
		settings: { executionOrder: 'v1' },
	};
}

test('the nodes panel finds the node by "whatsapp" and "join group"; added, it has Success and Failed outputs and its options in reading order', async () => {
	await openWorkflow(await session.createWorkflow(wiredWorkflow('Found in the panel')));
	await byTestId('node-creator-plus-button').click();
	const found = byTestId('node-creator-item-name');
	for (const words of ['whatsapp', 'join group', 'invite link'])
		await expect(panelFinds(words, 'RyzeAPI')).resolves.toBe(1);
	await panelFinds('whatsapp', 'RyzeAPI');
	await session.screenshot('nodes-panel-whatsapp');
	await found.filter({ hasText: 'RyzeAPI' }).click();
	await found.filter({ hasText: 'Join a group' }).click();

	// The node view of the new node: the mode beside its notice, the options in reading order.
	await byTestId('parameter-input-pendingApprovalOutput').waitFor();
	await expect(byTestId('node-parameters').innerText()).resolves.toMatch(
		/Success also receives joins still waiting for an admin/,
	);
	const addOption = byTestId('collection-parameter-add');
	// A select whose placeholder is the collection's placeholder.
	const addOptionText =
		(await addOption.locator('input').first().getAttribute('placeholder')) ??
		(await addOption.innerText());
	expect(addOptionText.trim()).toBe('Add option');
	await addOption.click();
	await byTestId('collection-parameter-option').first().waitFor();
	expect(await byTestId('collection-parameter-option').allInnerTexts()).toEqual([
		'Instance Name',
		'Min Delay (Seconds)',
		'Max Delay (Seconds)',
		'Max Requests Per Minute',
		'Requests in Flight',
		'Tries Per Request',
		'Request Retry Wait (Seconds)',
		'Max Retry Wait per Item (Seconds)',
		'Request Timeout (Seconds)',
	]);
	await session.screenshot('node-view-options');
	await page.keyboard.press('Escape');
	await closeNodeView();
	await expectOutputLabels('Join a group', ['Success', 'Failed']);
});

test('switching Pending Approval Output to Separate on a wired node rewires nothing: the Failed connection still receives the failures', async () => {
	const id = await session.createWorkflow(wiredWorkflow('Wired'));
	await openWorkflow(id);
	await expectOutputLabels('Join Group', ['Success', 'Failed']);

	await openNodeView('Join Group', 'parameter-input-pendingApprovalOutput');
	await byTestId('parameter-input-pendingApprovalOutput').click();
	await choose('Separate Output');
	await closeNodeView();
	await expectOutputLabels('Join Group', ['Success', 'Failed', 'Pending']);
	await session.screenshot('separate-outputs');

	await byTestId('execute-workflow-button').click();
	expect(await itemsOnEdge('Join Group', 'Failed rows')).toBe('1 item');
	expect(await itemsOnEdge('Join Group', 'Joined rows')).toBe('1 item');
	await session.screenshot('separate-outputs-run');
	const failed = await outputOf('Failed rows');
	expect(failed).toContain('RevokedGamma');
	expect(failed).toContain('revoked_or_expired');
	expect(failed).toContain('Ask the group for a new link.');
	expect(failed).toContain('failed'); // its status, lower case: the node's label is "Failed rows"
	expect(failed).not.toContain('ApprovalBeta');
	const joined = await outputOf('Joined rows');
	expect(joined).toContain('OpenAlpha');
	expect(joined).not.toContain('ApprovalBeta');
	expect(joined).not.toContain('RevokedGamma');
});

test('a node saved with version 1 (package 0.1.0) keeps its outputs in their old order', async () => {
	await openWorkflow(
		await session.createWorkflow(
			wiredWorkflow('Version 1', {
				typeVersion: 1,
				parameters: {
					resource: 'group',
					operation: 'join',
					identifier: '={{ $json.link }}',
					options: { pendingApprovalOutput: 'separate' },
				},
			}),
		),
	);
	await expectOutputLabels('Join Group', ['Joined', 'Pending', 'Failed']);
});

test('with On Error = "Continue (using error output)" the outputs are Success, Failed and n8n\'s Error, and failures reach Failed', async () => {
	const workflow = wiredWorkflow('Error output', { onError: 'continueErrorOutput' });
	await openWorkflow(await session.createWorkflow(workflow));
	await expectOutputLabels('Join Group', ['Success', 'Failed', 'Error']);
	await byTestId('execute-workflow-button').click();
	expect(await itemsOnEdge('Join Group', 'Failed rows')).toBe('1 item');
	expect(await itemsOnEdge('Join Group', 'Joined rows')).toBe('2 items');
	await session.screenshot('error-output');
});

test('the credential dialog: Instance Name, Token, then Base URL; the Token says where it comes from; Test says what to fix first', async () => {
	const refused = await session.createCredential('RyzeAPI (wrong token)', 'not-a-real-token');
	await go(`/home/credentials/${refused.id}`);
	const dialog = byTestId('credential-edit-dialog');
	const fields = dialog.locator('[data-test-id="credential-connection-parameter"]');
	await fields.first().waitFor();
	const texts = await fields.allInnerTexts();
	expect(texts.map((text) => text.split('\n')[0].replace(/\s*\*$/, ''))).toEqual([
		'Instance Name',
		'Token',
		'Base URL',
		'Allowed HTTP Request Domains', // n8n's own, on every credential
	]);
	expect(texts[1]).toMatch(/TokenInstance \(shown once, when the instance was created/);

	// n8n tests the credential when the dialog opens; Retry is the dialog's Test button.
	const tests = () =>
		session.emulator.log.filter((request) => request.path === '/api/group/list/main').length;
	await dialog.getByText('Couldn’t connect with these settings').waitFor();
	const before = tests();
	await dialog.getByRole('button', { name: 'Retry' }).click();
	for (let tries = 0; tries < 40 && tests() === before; tries++) await page.waitForTimeout(250);
	expect(tests()).toBe(before + 1);
	await dialog.getByText('More details').click();
	const details = dialog.getByText(/RyzeAPI refused the token/);
	await details.waitFor();
	expect(await details.innerText()).toMatch(/^Check the Token: RyzeAPI refused the token \(401/);
	expect(await dialog.innerText()).not.toContain('not-a-real-token');
	await session.screenshot('credential-refused');
	await closeCredentialDialog();
});
