/**
 * `npm run test:e2e`: installs n8n into the cache unless it is there (the first run takes minutes),
 * then runs the end-to-end suite in it. Where the machine cannot install n8n (too little disk, no
 * registry), it says so in one line and exits 0, so CI goes on without it; every other failure,
 * install included, fails.
 */
import { exitWith, runJest } from '../support/suiteRunner';
import { ensureN8n, N8N_VERSION } from '../support/n8n/realN8n';

async function main(): Promise<number> {
	const started = Date.now();
	console.log(
		`e2e: preparing n8n ${N8N_VERSION} (the first run installs it into the cache: about 6 minutes, 2.3 GB)...`,
	);
	const install = await ensureN8n();
	if (!install.ok) {
		console.log(`e2e SKIPPED: ${install.reason}.`);
		return 0;
	}
	console.log(
		install.installedNow
			? `e2e: installed n8n ${N8N_VERSION} into ${install.dir} in ${install.seconds.toFixed(0)} s`
			: `e2e: reusing n8n ${N8N_VERSION} from ${install.dir}`,
	);
	const status = runJest('jest.e2e.config.js', process.argv.slice(2), {
		N8N_E2E_INSTALL_DIR: install.dir,
	});
	console.log(
		`e2e: ${status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s (${install.installedNow ? 'cold: n8n installed in this run' : 'warm: n8n from the cache'})`,
	);
	return status;
}

exitWith(main);
