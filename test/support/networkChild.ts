/**
 * Runs the RyzeAPI node in n8n's engine and presses the credential's Test button, in a process of
 * its own, then prints both results as one JSON line. Tests start it with the environment a user
 * would give n8n (NODE_EXTRA_CA_CERTS, HTTPS_PROXY, ...): Node reads NODE_EXTRA_CA_CERTS only at
 * process start, so a private CA can only be tried this way.
 *
 * argv[2]: JSON { baseUrl, instanceName, token, links: string[] }.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

import type { ICredentialsDecrypted, ICredentialTestFunctions } from 'n8n-workflow';

import { closeDispatchers } from '../../nodes/RyzeApi/transport/pools';
import { runRyzeApiNode, shutDownEngine } from './engine';

export interface ChildInput {
	baseUrl: string;
	instanceName: string;
	token: string;
	links: string[];
}

export interface ChildResult {
	/** The Success and Error outputs' items, as the node left them. */
	success: Array<Record<string, unknown>>;
	error: Array<Record<string, unknown>>;
	credentialTest: { status: string; message: string };
}

async function main(): Promise<void> {
	const input = JSON.parse(process.argv[2]) as ChildInput;
	// With its extension: tsx would otherwise resolve RyzeApi.node to the codex file RyzeApi.node.json.
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { RyzeApi } = require(
		join(__dirname, '..', '..', 'nodes', 'RyzeApi', 'RyzeApi.node.ts'),
	) as typeof import('../../nodes/RyzeApi/RyzeApi.node');
	const node = new RyzeApi();
	const credentials = {
		baseUrl: input.baseUrl,
		instanceName: input.instanceName,
		token: input.token,
	};
	const result = await runRyzeApiNode({
		nodeType: node,
		items: input.links.map((link) => ({ link })),
		// One try each: a failure is reported at once instead of after backoff.
		parameters: {
			resource: 'group',
			operation: 'join',
			identifier: '={{ $json.link }}',
			options: { triesPerRequest: 1, timeoutSeconds: 10 },
		},
		credentials,
	});
	if (!result.outputs) throw new Error(`The node failed: ${String(result.error?.message)}`);
	const credential: ICredentialsDecrypted = {
		id: 'child',
		name: 'RyzeAPI',
		type: 'ryzeApi',
		data: credentials,
	};
	const credentialTest = await node.methods.credentialTest.ryzeApiCredentialTest.call(
		{} as ICredentialTestFunctions,
		credential,
	);
	const [success = [], error = []] = result.outputs;
	const output: ChildResult = {
		success: success.map((item) => item.json),
		error: error.map((item) => item.json),
		credentialTest: { status: credentialTest.status, message: credentialTest.message },
	};
	process.stdout.write(`${JSON.stringify(output)}\n`);
	await closeDispatchers();
	shutDownEngine();
}

const PROXY_VARIABLES = /^(npm_config_)?(https?|all|no)_proxy$|^npm_config_proxy$/i;

/**
 * Runs this file in a child process with the test's environment minus any proxy variable of the
 * machine, plus `env`. Asynchronous, so the emulator and proxy of the calling test keep serving.
 */
export async function runInChild(
	input: ChildInput,
	env: Record<string, string>,
): Promise<ChildResult> {
	const base = Object.fromEntries(
		Object.entries(process.env).filter(([name]) => !PROXY_VARIABLES.test(name)),
	);
	const stdout = await new Promise<string>((resolve, reject) => {
		execFile(
			process.execPath,
			['--import', 'tsx', __filename, JSON.stringify(input)],
			{ env: { ...base, ...env }, timeout: 90_000, maxBuffer: 10 * 1024 * 1024 },
			(error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
		);
	});
	return JSON.parse(stdout.trim().split('\n').pop() as string) as ChildResult;
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(
			`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
		);
		process.exit(1);
	});
}
