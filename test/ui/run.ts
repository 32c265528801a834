/**
 * `npm run test:ui`: the editor in a real n8n 2.8.4, driven in Debian's Chromium. Installs n8n
 * into the cache unless it is there (as `npm run test:e2e` does) and Chromium with apt-get when it
 * is missing and this is root; where either cannot be had it says so in one line and exits 0.
 * Screenshots go to .n8n-ui-screenshots/ (git-ignored).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

import { ensureN8n, N8N_VERSION } from '../e2e/realN8n';
import { chromiumPath } from './editorSession';

function ensureChromium(): string | undefined {
	const found = chromiumPath();
	if (found || process.getuid?.() !== 0) return found;
	console.log("ui: installing Debian's chromium with apt-get...");
	spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
		stdio: 'inherit',
		env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		timeout: 600_000,
	});
	return chromiumPath();
}

async function main(): Promise<number> {
	const started = Date.now();
	const browser = ensureChromium();
	if (!browser) {
		console.log('ui SKIPPED: no Chromium (apt-get could not install it; set CHROMIUM_PATH).');
		return 0;
	}
	const install = await ensureN8n();
	if (!install.ok) {
		console.log(`ui SKIPPED: ${install.reason}.`);
		return 0;
	}
	const jest = spawnSync(
		process.execPath,
		[
			require.resolve('jest/bin/jest'),
			'--config',
			resolve(__dirname, '..', '..', 'jest.ui.config.js'),
			...process.argv.slice(2),
		],
		{
			stdio: 'inherit',
			env: { ...process.env, N8N_E2E_INSTALL_DIR: install.dir, CHROMIUM_PATH: browser },
		},
	);
	console.log(
		`ui: ${jest.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s (n8n ${N8N_VERSION} ${install.installedNow ? 'installed in this run' : 'from the cache'})`,
	);
	return jest.status ?? 1;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error instanceof Error ? (error.stack ?? error.message) : error);
		process.exit(1);
	},
);
