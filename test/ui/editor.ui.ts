/**
 * The node in n8n's real editor (n8n 2.8.4, the packed package installed as n8n installs it),
 * in Debian's Chromium driven by playwright-core, as a new user meets it: found in the nodes
 * panel, added, its outputs labelled and never rewired by a mode switch, its options in reading
 * order, its credential dialog; the trigger's panel; the node as an AI Agent's tool. Run by
 * `npm run test:ui`; screenshots in .n8n-ui-screenshots/.
 */
import type { Locator, Page } from 'playwright-core';

import { NODE_TYPE, TRIGGER_NODE_TYPE } from '../support/n8n/realN8n';
import { EditorSession } from '../support/n8n/editorSession';
import { CURRENT_VERSION_OPTION_NAMES } from '../support/runOptionNames';

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

/** The nodes panel of an empty workflow ("What triggers this workflow?"), opened. */
async function openNodesPanelOfNewWorkflow(): Promise<void> {
	await go('/workflow/new');
	await byTestId('canvas-add-button').waitFor();
	await byTestId('canvas-plus-button').click();
	await byTestId('node-creator-search-bar').waitFor();
}

/** How many items named `name` the nodes panel, open, lists for `words`. */
async function panelFinds(words: string, name: string): Promise<number> {
	await byTestId('node-creator-search-bar').fill(words);
	// The entry of exactly this name: "RyzeAPI" is not "RyzeAPI Polling" (n8n drops "Trigger").
	const names = await byTestId('node-creator-item-name').allInnerTexts();
	return names.filter((shown) => shown.trim() === name).length;
}

/** Clicks the entry of exactly this name in the nodes panel. */
async function clickEntry(name: string): Promise<void> {
	const names = await byTestId('node-creator-item-name').allInnerTexts();
	await byTestId('node-creator-item-name')
		.nth(names.findIndex((shown) => shown.trim() === name))
		.click();
}

/** The values selected in a multiOptions parameter, as its tags read. */
async function selectedIn(parameter: string): Promise<string[]> {
	return await byTestId(`parameter-input-${parameter}`)
		.locator('.el-select__tags-text')
		.allInnerTexts();
}

/** Whether the node view shows parameter `name` (its input, by data-test-id). */
async function shows(name: string): Promise<boolean> {
	return (await byTestId(`parameter-input-${name}`).count()) === 1;
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
	// The polling trigger is an entry of its own, beside the package's.
	await expect(panelFinds('whatsapp', 'RyzeAPI Polling')).resolves.toBe(1);
	await panelFinds('whatsapp', 'RyzeAPI');
	await clickEntry('RyzeAPI');
	// The entry's details stand for the whole package and say which trigger to pick (n8n shows
	// the webhook trigger's description there).
	await expect(byTestId('node-creator').innerText()).resolves.toMatch(
		/Join, preview, leave and list WhatsApp groups[\s\S]*without a public URL, use the RyzeAPI Polling Trigger/,
	);
	await found.filter({ hasText: 'Join a group' }).click();

	// The node view of the new node: the mode beside its notice, the options in reading order.
	await byTestId('parameter-input-pendingApprovalOutput').waitFor();
	await expect(byTestId('node-parameters').innerText()).resolves.toMatch(
		/Success also receives joins still waiting for an admin/,
	);
	// A new node is version 1.2: it says how it keeps the number safe.
	await expect(byTestId('node-parameters').innerText()).resolves.toMatch(
		/Joins are paced to keep the number safe: at most 3 an hour and 10 a day/,
	);
	const addOption = byTestId('collection-parameter-add');
	// A select whose placeholder is the collection's placeholder.
	const addOptionText =
		(await addOption.locator('input').first().getAttribute('placeholder')) ??
		(await addOption.innerText());
	expect(addOptionText.trim()).toBe('Add option');
	await addOption.click();
	await byTestId('collection-parameter-option').first().waitFor();
	expect(await byTestId('collection-parameter-option').allInnerTexts()).toEqual(
		CURRENT_VERSION_OPTION_NAMES,
	);
	await session.screenshot('node-view-options');
	await page.keyboard.press('Escape');
	await closeNodeView();
	await expectOutputLabels('Join a group', ['Success', 'Failed', 'Deferred']);
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

const WEBHOOK_NOTICE = /^RyzeAPI allows 3 enabled webhooks per instance: this trigger uses one/m;

test('the nodes panel of a new workflow finds the trigger by "whatsapp", "group", "webhook" and "events"; "On group flow" adds it with the webhook notice, Events = Group Flow, Group Changes and Group JIDs', async () => {
	await openNodesPanelOfNewWorkflow();
	// n8n merges the trigger into the action node's entry and searches only the action node's
	// aliases (2.8.4 and 2.41.1, generateMergedNodesAndActions): the trigger's words are there too.
	for (const words of ['whatsapp', 'group', 'webhook', 'events'])
		await expect(panelFinds(words, 'RyzeAPI')).resolves.toBe(1);
	await panelFinds('whatsapp', 'RyzeAPI');
	await clickEntry('RyzeAPI');
	// n8n lists the trigger as one "On …" entry per event (the Events options), under the node.
	const creator = byTestId('node-creator');
	await creator.getByText('On instance state', { exact: true }).waitFor();
	await session.screenshot('nodes-panel-trigger');
	await creator.getByText('On group flow', { exact: true }).click();

	await byTestId('parameter-input-groupChanges').waitFor();
	expect(await byTestId('node-parameters').innerText()).toMatch(WEBHOOK_NOTICE);
	expect(await selectedIn('events')).toEqual(['Group Flow']);
	expect(await shows('groupJids')).toBe(true);
	expect(await shows('instanceStates')).toBe(false);
	await session.screenshot('trigger-added');
});

test('the polling trigger is found by "polling" and "no public URL", says when to pick it, and adds with its notice and Joined a Group', async () => {
	// A saved workflow: a new one left with changes would hold the next test's page load.
	await openWorkflow(await session.createWorkflow(wiredWorkflow('Polling in the panel')));
	await byTestId('node-creator-plus-button').click();
	for (const words of ['polling', 'no public URL', 'whatsapp'])
		await expect(panelFinds(words, 'RyzeAPI Polling')).resolves.toBe(1);
	await clickEntry('RyzeAPI Polling');
	const creator = byTestId('node-creator');
	await expect(creator.innerText()).resolves.toMatch(
		/Works where RyzeAPI cannot reach n8n[\s\S]*for instant events, use the RyzeAPI Trigger/,
	);
	await session.screenshot('nodes-panel-polling-trigger');
	await creator.getByText('On joined a group', { exact: true }).click();
	await byTestId('parameter-input-events').waitFor();
	expect(await byTestId('node-parameters').innerText()).toMatch(
		/Each poll asks RyzeAPI once for the groups the number is in/,
	);
	expect(await selectedIn('events')).toEqual(['Joined a Group']);
	await session.screenshot('polling-trigger-added');
});

test('the trigger with its default Events (Group Flow, Instance State) shows Group Changes, Group JIDs and Instance States; deselecting Group Flow hides the first two', async () => {
	const trigger = {
		id: 'trigger',
		name: 'RyzeAPI Trigger',
		type: TRIGGER_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { ryzeApi: credential },
		webhookId: 'ui-trigger-defaults',
	};
	await openWorkflow(
		await session.createWorkflow({ name: 'Trigger defaults', nodes: [trigger], connections: {} }),
	);
	await openNodeView('RyzeAPI Trigger', 'parameter-input-events');
	expect(await byTestId('node-parameters').innerText()).toMatch(WEBHOOK_NOTICE);
	expect(await selectedIn('events')).toEqual(['Group Flow', 'Instance State']);
	for (const name of ['groupChanges', 'groupJids', 'instanceStates'])
		expect([name, await shows(name)]).toEqual([name, true]);

	await byTestId('parameter-input-events')
		.locator('.el-tag')
		.filter({ hasText: 'Group Flow' })
		.locator('.el-tag__close')
		.click();
	await byTestId('parameter-input-groupChanges').waitFor({ state: 'detached' });
	expect(await selectedIn('events')).toEqual(['Instance State']);
	expect(await shows('groupJids')).toBe(false);
	expect(await shows('instanceStates')).toBe(true);
	await session.screenshot('trigger-group-flow-deselected');
	await closeNodeView();
});

test('publishing with a Group JIDs entry that is not a JID fails, quoting the entry whole and saying where JIDs come from', async () => {
	const trigger = {
		id: 'trigger',
		name: 'RyzeAPI Trigger',
		type: TRIGGER_NODE_TYPE,
		typeVersion: 1.1,
		position: [0, 0],
		parameters: { events: ['group.flow'], groupJids: '120363406289005073@g.us, Weekend Hikers' },
		credentials: { ryzeApi: credential },
		webhookId: 'ui-trigger-wrong-jid',
	};
	await openWorkflow(
		await session.createWorkflow({ name: 'Wrong group JID', nodes: [trigger], connections: {} }),
	);
	await byTestId('workflow-open-publish-modal-button').click();
	await byTestId('workflow-publish-button').click();
	const refusal = page.locator('.el-notification').filter({ hasText: 'is not a group JID' });
	await refusal.first().waitFor();
	await session.screenshot('group-jids-refused');
	await page.waitForLoadState('networkidle');
	// n8n shows an activation's error twice (the publish answer, then its push event): each one
	// quotes the entry whole, never its first word alone.
	for (const text of await refusal.allInnerTexts()) {
		expect(text).toContain('"Weekend Hikers" is not a group JID');
		expect(text).not.toContain('"Weekend" is not');
		expect(text.replace(/\s+/g, ' ')).toMatch(
			/groupJid of Join Group's, Get Many Groups' and the triggers' items/,
		);
	}
});

test('as the tool of an AI Agent the node has no Pending Approval Output and no notice about it; the same node as a plain action (1.1, Join) has both', async () => {
	const join = { resource: 'group', operation: 'join' };
	const workflow = {
		name: 'Agent tool',
		nodes: [
			{
				id: 'chat',
				name: 'When chat message received',
				type: '@n8n/n8n-nodes-langchain.chatTrigger',
				typeVersion: 1.3,
				position: [0, 0],
				parameters: { options: {} },
			},
			{
				id: 'agent',
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3,
				position: [240, 0],
				parameters: { options: {} },
			},
			{
				id: 'tool',
				name: 'Join as tool',
				type: `${NODE_TYPE}Tool`,
				typeVersion: 1.1,
				position: [380, 220],
				parameters: { ...join, identifier: "={{ $fromAI('link') }}" },
				credentials: { ryzeApi: credential },
			},
			{
				id: 'plain',
				name: 'Join as action',
				type: NODE_TYPE,
				typeVersion: 1.1,
				position: [600, 0],
				parameters: { ...join, identifier: 'OpenAlpha' },
				credentials: { ryzeApi: credential },
			},
		],
		connections: {
			'When chat message received': { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'Join as tool': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			'AI Agent': { main: [[{ node: 'Join as action', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
	await openWorkflow(await session.createWorkflow(workflow));
	const notice = /Success also receives joins still waiting for an admin/;

	// The Options collection comes after the mode: once it is drawn, the mode would be too.
	await openNodeView('Join as tool', 'collection-parameter-add');
	const asTool = await byTestId('node-parameters').innerText();
	expect(asTool).toContain('Tool Description'); // n8n's own: this is the tool's panel
	expect(asTool).not.toContain('Pending Approval Output');
	expect(asTool).not.toMatch(notice);
	expect(await shows('pendingApprovalOutput')).toBe(false);
	await session.screenshot('agent-tool-panel');
	await closeNodeView();

	await openNodeView('Join as action', 'parameter-input-pendingApprovalOutput');
	expect(await byTestId('node-parameters').innerText()).toMatch(notice);
	await closeNodeView();
});

test("the credential dialog's Test, for an instance not connected to WhatsApp, says so and to scan the QR code", async () => {
	const offline = await session.createCredential('RyzeAPI (offline)', undefined, 'offline');
	await go(`/home/credentials/${offline.id}`);
	const dialog = byTestId('credential-edit-dialog');
	// n8n tests the credential when the dialog opens.
	await dialog.getByText('Couldn’t connect with these settings').waitFor();
	await dialog.getByText('More details').click();
	const details = dialog.getByText(/is not connected to WhatsApp/);
	await details.waitFor();
	expect(await details.innerText()).toBe(
		'Token and instance name are right, but instance "offline" is not connected to WhatsApp (400: Instance disconnected). Connect it: scan the QR code in the RyzeAPI dashboard, then test again.',
	);
	await session.screenshot('credential-offline');
	await closeCredentialDialog();
});
