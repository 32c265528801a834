/**
 * `npm run test:ui`: the editor in a real n8n 2.8.4, driven in Debian's Chromium. Installs n8n
 * into the cache unless it is there (as `npm run test:e2e` does) and Chromium with apt-get when it
 * is missing and this is root; where either cannot be had it says so in one line and exits 0.
 * Screenshots go to .n8n-ui-screenshots/ (git-ignored).
 */
import { ensureN8n, N8N_VERSION } from '../support/n8n/realN8n';
import { aptInstall } from '../support/aptInstall';
import { exitWith, runJest } from '../support/suiteRunner';
import { chromiumPath } from '../support/n8n/editorSession';

/** Debian's Chromium: found, or installed with apt-get (as root); why not, when neither. */
async function ensureChromium(): Promise<
	{ ok: true; path: string } | { ok: false; reason: string }
> {
	const found = chromiumPath();
	if (found) return { ok: true, path: found };
	console.log("ui: installing Debian's chromium with apt-get...");
	const installed = await aptInstall(['chromium']);
	if (!installed.ok) return installed;
	const path = chromiumPath();
	return path
		? { ok: true, path }
		: { ok: false, reason: 'apt-get installed chromium, but no chromium binary was found' };
}

async function main(): Promise<number> {
	const started = Date.now();
	const chromium = await ensureChromium();
	if (!chromium.ok) {
		console.log(`ui SKIPPED: no Chromium: ${chromium.reason} (or set CHROMIUM_PATH).`);
		return 0;
	}
	const browser = chromium.path;
	const install = await ensureN8n();
	if (!install.ok) {
		console.log(`ui SKIPPED: ${install.reason}.`);
		return 0;
	}
	const status = runJest('jest.ui.config.js', process.argv.slice(2), {
		N8N_E2E_INSTALL_DIR: install.dir,
		CHROMIUM_PATH: browser,
	});
	console.log(
		`ui: ${status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s (n8n ${N8N_VERSION} ${install.installedNow ? 'installed in this run' : 'from the cache'})`,
	);
	return status;
}

exitWith(main);
