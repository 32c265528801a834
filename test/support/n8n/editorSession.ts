/**
 * A real n8n 2.8.4 editor for the browser test: the packed package installed as n8n installs it
 * (test/support/n8n/realN8n.ts), the RyzeAPI emulator, an owner account made through n8n's REST API, and
 * Debian's Chromium driven by playwright-core, logged in with the owner's session cookie.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { ACCOUNT_TOKEN, MAIN_INSTANCE, RyzeApiEmulator } from '../emulator/server';
import { freePort, installAsCommunityPackage, N8n, packProject, REPO_ROOT } from './realN8n';

/** Where the test leaves its screenshots (git-ignored): test artifacts, not fixtures. */
export const SCREENSHOT_DIR = join(REPO_ROOT, '.n8n-ui-screenshots');

/** Debian's Chromium, or the one CHROMIUM_PATH names. */
export function chromiumPath(): string | undefined {
	const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
	return candidates.find((path): path is string => !!path && existsSync(path));
}

export const OWNER = {
	email: 'owner@example.com',
	firstName: 'UI',
	lastName: 'Owner',
	password: 'Ui-owner-passw0rd',
};

export class EditorSession {
	readonly emulator = new RyzeApiEmulator();

	n8n!: N8n;

	browser!: Browser;

	context!: BrowserContext;

	page!: Page;

	private workDir = '';

	private cookie = '';

	/**
	 * installDir: an n8n from the cache (test/support/n8n/realN8n.ts, ensureN8n); run by this Node
	 * unless `run` names another binary (n8n 2.41 needs Node 24), with `run.env` added.
	 */
	constructor(
		private readonly installDir: string,
		private readonly run: { nodeBinary?: string; env?: Record<string, string> } = {},
	) {}

	async start(): Promise<void> {
		this.workDir = mkdtempSync(join(tmpdir(), 'ryzeapi-ui-'));
		const filesDir = join(this.workDir, 'files');
		mkdirSync(filesDir);
		await this.emulator.start();
		await installAsCommunityPackage(this.workDir, await packProject(this.workDir));
		// A port free when picked may be taken by another test on this machine before n8n binds it:
		// then n8n says so and exits, and another port is tried (three at most).
		for (let attempt = 1; ; attempt++) {
			this.n8n = new N8n({
				installDir: this.installDir,
				userFolder: this.workDir,
				filesDir,
				port: await freePort(),
				...this.run,
			});
			try {
				await this.n8n.start();
				break;
			} catch (error) {
				if (attempt === 3 || !String(error).includes('already in use')) throw error;
			}
		}
		this.cookie = await this.createOwner();
		const executablePath = chromiumPath();
		if (!executablePath) throw new Error('No Chromium found (set CHROMIUM_PATH)');
		this.browser = await chromium.launch({
			executablePath,
			headless: true,
			// Root in a container: Chromium's sandbox needs user namespaces it may not have.
			args: ['--no-sandbox', '--disable-dev-shm-usage'],
		});
		this.context = await this.browser.newContext({ viewport: { width: 1440, height: 900 } });
		const [name, value] = this.cookie.split('=');
		await this.context.addCookies([{ name, value, url: this.n8n.url }]);
		this.page = await this.context.newPage();
		mkdirSync(SCREENSHOT_DIR, { recursive: true });
	}

	async stop(): Promise<void> {
		await this.browser?.close();
		await this.n8n?.stop();
		await this.emulator.close();
		if (this.workDir) rmSync(this.workDir, { recursive: true, force: true });
	}

	/** Calls n8n's REST API as the owner; returns the answer's `data`. */
	async rest<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.n8n.url}/rest${path}`, {
			method,
			headers: { 'content-type': 'application/json', cookie: this.cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(30_000),
		});
		const text = await response.text();
		if (!response.ok)
			throw new Error(`${method} /rest${path} answered ${response.status}: ${text}`);
		return (JSON.parse(text) as { data: T }).data;
	}

	/** A RyzeAPI credential pointing at the emulator. */
	async createCredential(
		name: string,
		token = ACCOUNT_TOKEN,
		instanceName = MAIN_INSTANCE,
	): Promise<{ id: string; name: string }> {
		const created = await this.rest<{ id: string; name: string }>('POST', '/credentials', {
			name,
			type: 'ryzeApi',
			data: { baseUrl: this.emulator.url, instanceName, token },
		});
		return { id: created.id, name: created.name };
	}

	async createWorkflow(workflow: object): Promise<string> {
		const created = await this.rest<{ id: string }>('POST', '/workflows', workflow);
		return created.id;
	}

	async screenshot(name: string): Promise<void> {
		await this.page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
	}

	private async createOwner(): Promise<string> {
		const response = await fetch(`${this.n8n.url}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(OWNER),
		});
		await response.arrayBuffer();
		const cookie = response.headers.getSetCookie().find((value) => value.startsWith('n8n-auth='));
		if (response.status !== 200 || !cookie)
			throw new Error(`Owner setup answered ${response.status} without a session`);
		return cookie.split(';')[0];
	}
}
