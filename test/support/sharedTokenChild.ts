/**
 * One stand-in for an n8n queue-mode worker: a process of its own that runs the RyzeAPI node in
 * n8n's engine (engine.ts) on its items, started by sharedToken.ts. It loads everything, says
 * READY, waits for GO (so that all processes start together), runs, and sends back where each
 * item came out, all over the IPC channel (n8n's modules leave stdin alone only when unused).
 * It exits when its parent goes away before GO.
 */
import './env';

import type { IDataObject, INodeType } from 'n8n-workflow';

import { closeDispatchers as closeSourceDispatchers } from '../../nodes/RyzeApi/transport/pools';
import { runRyzeApiNode, shutDownEngine } from './engine';
import type { ChildJob, ChildResult } from './sharedToken';
import { CHILD_GO, CHILD_READY } from './sharedToken';

async function main(): Promise<void> {
	const job = JSON.parse(process.argv[2]) as ChildJob;
	// The benchmark runs the compiled package, the tests the sources. (The source needs its
	// extension: tsx would resolve "RyzeApi.node" to the codex file RyzeApi.node.json.)
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { RyzeApi } = require(
		job.compiled ? '../../dist/nodes/RyzeApi/RyzeApi.node' : '../../nodes/RyzeApi/RyzeApi.node.ts',
	) as { RyzeApi: new () => INodeType };
	const { closeDispatchers } = job.compiled
		? // eslint-disable-next-line @typescript-eslint/no-require-imports
			(require('../../dist/nodes/RyzeApi/transport/pools') as { closeDispatchers(): Promise<void> })
		: { closeDispatchers: closeSourceDispatchers };

	const go = await new Promise<boolean>((resolve) => {
		process.once('message', (message) => resolve(message === CHILD_GO));
		process.once('disconnect', () => resolve(false));
		process.send?.(CHILD_READY);
	});
	if (!go) return;

	const run = await runRyzeApiNode({
		nodeType: new RyzeApi(),
		items: job.codes.map((link) => ({ link })),
		parameters: {
			resource: 'group',
			operation: 'join',
			identifier: '={{ $json.link }}',
			options: job.options,
		},
		credentials: { baseUrl: job.baseUrl, instanceName: job.instanceName, token: job.token },
	});
	const outputs = (run.outputs ?? []).map((items) =>
		items.map(({ json }) => ({
			code: String(json.inviteCode ?? ''),
			status: String(json.status ?? ''),
			reason: (json.error as IDataObject | undefined)?.reason as string | undefined,
		})),
	);
	const result: ChildResult = { status: run.status, error: run.error?.message, outputs };
	await closeDispatchers();
	shutDownEngine();
	await new Promise<void>((resolve) => process.send?.(result, () => resolve()));
}

main()
	.catch((error: unknown) => {
		console.error(error instanceof Error ? error.stack : error);
		process.exitCode = 1;
	})
	// The IPC channel would keep the process alive.
	.finally(() => process.disconnect?.());
