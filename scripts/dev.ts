/**
 * `npm run dev`: a real n8n 2.8.4 on http://127.0.0.1:5678 with this package (freshly built and
 * packed), the RyzeAPI emulator, a stand-in OpenAI model for the AI agent example, credentials for
 * both, and the examples imported, so the node can be clicked through in the editor. Its data lives
 * in .n8n-dev/ (delete it to start over). Ctrl-C stops everything it started.
 * N8N_PORT and EMULATOR_PORT change the ports (defaults 5678 and 3555).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { OpenAiStandIn } from '../test/support/emulator/openAiStandIn';
import { ACCOUNT_TOKEN, MAIN_INSTANCE, RyzeApiEmulator } from '../test/support/emulator/server';
import {
	AGENT_EXAMPLE,
	APPROVAL_LOOP_EXAMPLE,
	APPROVAL_POLLING_EXAMPLE,
	DRIP_FEED_EXAMPLE,
	dripFeedExampleIn,
	exampleCredentials,
	INSTANCE_ALERT_EXAMPLE,
	readExample,
	SAMPLE_CSV,
	csvExampleIn,
	PREVIEW_CSV,
	PREVIEW_EXAMPLE,
	SPREADSHEET_EXAMPLE,
	WEBHOOK_AUTH,
	WEBHOOK_EXAMPLE,
} from '../test/support/n8n/examples';
import {
	ensureN8n,
	installAsCommunityPackage,
	N8N_VERSION,
	N8n,
	packProject,
	portIsFree,
} from '../test/support/n8n/realN8n';

const DEV_FOLDER = resolve(__dirname, '..', '.n8n-dev');

async function main(): Promise<void> {
	const n8nPort = Number(process.env.N8N_PORT ?? 5678);
	const emulatorPort = Number(process.env.EMULATOR_PORT ?? 3555);
	console.log(
		`Preparing n8n ${N8N_VERSION} (the first time, it is installed into the cache: about 6 minutes, 2.3 GB)...`,
	);
	const install = await ensureN8n();
	if (!install.ok) throw new Error(`Cannot run n8n here: ${install.reason}.`);
	for (const [port, variable] of [
		[n8nPort, 'N8N_PORT'],
		[emulatorPort, 'EMULATOR_PORT'],
	] as const) {
		if (!(await portIsFree(port)))
			throw new Error(
				`Port ${port} on 127.0.0.1 is in use: stop what uses it, or set ${variable}.`,
			);
	}

	const filesDir = join(DEV_FOLDER, 'files');
	mkdirSync(filesDir, { recursive: true });
	for (const [sample, file] of [
		[SAMPLE_CSV, SPREADSHEET_EXAMPLE.input],
		[PREVIEW_CSV, PREVIEW_EXAMPLE.input],
		[SAMPLE_CSV, DRIP_FEED_EXAMPLE.list],
	] as const) {
		if (!existsSync(join(filesDir, file))) copyFileSync(sample, join(filesDir, file));
	}
	console.log('Installing the packed package into .n8n-dev/.n8n/nodes...');
	const packDir = mkdtempSync(join(DEV_FOLDER, 'pack-'));
	try {
		await installAsCommunityPackage(DEV_FOLDER, await packProject(packDir));
	} finally {
		rmSync(packDir, { recursive: true, force: true });
	}

	const emulator = await new RyzeApiEmulator().start(emulatorPort);
	const model = await new OpenAiStandIn().start();
	const n8n = new N8n({ installDir: install.dir, userFolder: DEV_FOLDER, filesDir, port: n8nPort });
	let stopping: Promise<void> | undefined;
	const stopAll = () =>
		(stopping ??= (async () => {
			console.log('\nStopping n8n, the emulator and the stand-in model...');
			await n8n.stop();
			await emulator.close();
			await model.close();
		})());
	for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
		process.on(name, () => void stopAll().then(() => process.exit(0)));

	try {
		// Credentials every run (the stand-in model's port changes); workflows once, so that edits
		// made in the editor survive restarts.
		await n8n.importCredentials(exampleCredentials({ ryzeApi: emulator.url, openAi: model.url }));
		const imported = join(DEV_FOLDER, '.examples-imported');
		if (!existsSync(imported)) {
			await n8n.importWorkflows([
				readExample(WEBHOOK_EXAMPLE.file),
				csvExampleIn(SPREADSHEET_EXAMPLE, filesDir),
				csvExampleIn(PREVIEW_EXAMPLE, filesDir),
				readExample(AGENT_EXAMPLE.file),
				readExample(APPROVAL_LOOP_EXAMPLE.file),
				readExample(INSTANCE_ALERT_EXAMPLE.file),
				readExample(APPROVAL_POLLING_EXAMPLE.file),
				dripFeedExampleIn(filesDir),
			]);
			await n8n.publishWorkflow(WEBHOOK_EXAMPLE.id);
			// Its trigger registers a webhook at the emulator, which delivers the approval's group.flow.
			await n8n.publishWorkflow(APPROVAL_LOOP_EXAMPLE.id);
			writeFileSync(imported, new Date().toISOString());
		}
		console.log('Starting n8n...');
		await n8n.start();
		await n8n.waitForActivation(WEBHOOK_EXAMPLE.id);
		await n8n.waitForActivation(APPROVAL_LOOP_EXAMPLE.id);
	} catch (error) {
		await stopAll();
		throw error;
	}
	void n8n.exited?.then(() => {
		if (stopping) return;
		console.error(`n8n exited on its own:\n${n8n.logTail()}`);
		void stopAll().then(() => process.exit(1));
	});

	console.log(`
n8n ${N8N_VERSION} with n8n-nodes-ryzeapi:  ${n8n.url}
  (the first time, n8n asks you to create a local owner account)
  Credentials: "RyzeAPI (emulator)" (instance ${MAIN_INSTANCE}, TokenAccount ${ACCOUNT_TOKEN}),
               "OpenAI account" (a local stand-in model that always calls the join tool)
               "RyzeAPI webhook caller" (Header Auth: what the webhook example asks of its callers)
  Workflows:   the examples; the webhook one and the approval loop are active:
               curl -X POST -H '${WEBHOOK_AUTH.header}: ${WEBHOOK_AUTH.value}' -H 'content-type: application/json' -d '{"link":"https://chat.whatsapp.com/OpenDemo1"}' ${n8n.url}/webhook/${WEBHOOK_EXAMPLE.path}
               the approval loop: the same with {"link":"https://chat.whatsapp.com/ApprovalDemo1"} to ${n8n.url}/webhook/${APPROVAL_LOOP_EXAMPLE.path}, then approve it:
               curl -X POST -H 'content-type: application/json' -d '{"identifier":"ApprovalDemo1"}' ${emulator.url}/_emulator/approve/${MAIN_INSTANCE}
  Emulator:    ${emulator.url}  (codes: Open… join, Approval… wait for approval, Revoked…, Forbidden…, Invalid…; others are unknown groups)
  Files:       ${filesDir}  (the spreadsheet, preview and drip-feed examples read and write here)
  n8n's log:   ${n8n.logFile}
Ctrl-C stops everything.`);
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
