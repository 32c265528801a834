/**
 * `npm run prefetch`: installs every n8n of the version matrix (2.8.4, the end-to-end suite's,
 * first) and the Node it needs into the cache, one after the other, without running anything.
 * CI starts it in the background at once, so the installs overlap lint and `npm test` instead of
 * following them; the suites then find each install done, or wait on its lock. It never fails:
 * an install that cannot be done here is said in one line, and the suite that needs it says so
 * again when it runs.
 */
import { ensureN8n, ensureNode, N8N_VERSION } from '../test/support/n8n/realN8n';
import { COMPAT_MATRIX } from '../test/support/n8n/compatMatrix';

async function main(): Promise<void> {
	const started = Date.now();
	const targets = [...COMPAT_MATRIX].sort(
		(a, b) => Number(b.n8n === N8N_VERSION) - Number(a.n8n === N8N_VERSION),
	);
	for (const target of targets) {
		const began = Date.now();
		let node: { version: string; binary: string } | undefined;
		if (target.node) {
			const installed = await ensureNode(target.node);
			if (!installed.ok) {
				console.log(`prefetch: Node ${target.node} not installed: ${installed.reason}.`);
				continue;
			}
			node = { version: target.node, binary: installed.binary };
		}
		const install = await ensureN8n(target.n8n, { node, rebuildOnly: target.rebuildOnly });
		const seconds = ((Date.now() - began) / 1000).toFixed(0);
		console.log(
			install.ok
				? `prefetch: n8n ${target.n8n} ${install.installedNow ? `installed in ${seconds} s` : 'already in the cache'}`
				: `prefetch: n8n ${target.n8n} not installed: ${install.reason}.`,
		);
	}
	console.log(`prefetch: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
	console.log(`prefetch: stopped: ${error instanceof Error ? error.message : String(error)}`);
});
