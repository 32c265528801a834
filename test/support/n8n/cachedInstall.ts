/**
 * Installs npm packages the project only needs for its benchmark, its end-to-end test and
 * `npm run dev` (n8n itself, n8n-nodes-base) into a cache folder outside the repository, once.
 *
 * n8n-nodes-base pins `xlsx` to a tarball outside the npm registry, which these machines cannot
 * fetch; the registry's 0.18.5 stands in (an `overrides` entry, which only works in a host package
 * not itself named `n8n`). A half-finished install never looks finished: it is made in a staging
 * folder and renamed into place, with a marker naming what it holds.
 */
import {
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statfsSync,
	writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

import { isAlive, runCommand } from '../processes';

export interface CachedInstallRequest {
	/** Folder name under the cache root. */
	name: string;
	dependencies: Record<string, string>;
	/** Free disk the install needs; below it, the install is not attempted. */
	needBytes: number;
	/** Skip the packages' install scripts (n8n needs them: sqlite3 builds its binding). */
	ignoreScripts?: boolean;
	/**
	 * Packages whose install scripts then run (`npm rebuild`), when ignoreScripts skipped them all
	 * because another package's script downloads from outside the registry.
	 */
	rebuild?: string[];
	/**
	 * The Node binary npm and the install scripts run on, so native addons are built for it
	 * (default: the `node` on PATH).
	 */
	nodeBinary?: string;
	/** Environment for npm (default: this process's). */
	npmEnv?: NodeJS.ProcessEnv;
}

export type CachedInstall =
	| { ok: true; dir: string; installedNow: boolean; seconds: number }
	/** The machine cannot do it (no disk, no registry); reason is one line for the user. */
	| { ok: false; reason: string };

const MARKER = '.ryzeapi-install.json';
const STAGING = '.partial-';
const INSTALL_TIMEOUT_MS = 30 * 60_000;
const NETWORK_CODES = new Set([
	'ENOTFOUND',
	'EAI_AGAIN',
	'ECONNREFUSED',
	'ECONNRESET',
	'ETIMEDOUT',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'ECONNABORTED',
	'ERR_SOCKET_TIMEOUT',
]);
const XLSX_FROM_REGISTRY = { xlsx: '0.18.5' };

export function cacheRoot(): string {
	return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'n8n-nodes-ryzeapi');
}

export async function ensureCachedInstall(
	request: CachedInstallRequest,
	root = cacheRoot(),
): Promise<CachedInstall> {
	const dir = join(root, request.name);
	const started = Date.now();
	const manifest = JSON.stringify({
		name: `ryzeapi-cache-${request.name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
		private: true,
		dependencies: request.dependencies,
		overrides: XLSX_FROM_REGISTRY,
		// Part of the marker: an install made another way is made again.
		...(request.rebuild ? { ryzeapiRebuild: request.rebuild } : {}),
		...(request.nodeBinary ? { ryzeapiNode: request.nodeBinary } : {}),
	});
	const npmEnv = npmEnvFor(request);
	if (readMarker(dir) === manifest) return { ok: true, dir, installedNow: false, seconds: 0 };

	mkdirSync(root, { recursive: true });
	const release = await lock(`${dir}.lock`);
	try {
		// Another run may have finished the same install while this one waited for the lock.
		if (readMarker(dir) === manifest) return { ok: true, dir, installedNow: false, seconds: 0 };
		removeAbandonedStaging(root, request.name);
		const free = freeBytes(root);
		if (free < request.needBytes) {
			return {
				ok: false,
				reason: `only ${gb(free)} GB free in ${root}; installing ${describe(request)} needs about ${gb(request.needBytes)} GB`,
			};
		}
		const [name, version] = Object.entries(request.dependencies)[0];
		const asked = await runCommand(
			'npm',
			[
				'view',
				`${name}@${version}`,
				'version',
				'--fetch-retries=1',
				'--fetch-retry-mintimeout=2000',
				'--fetch-retry-maxtimeout=5000',
				'--loglevel=error',
			],
			{ env: npmEnv, timeoutMs: 60_000 },
		);
		const unreachable = asked.timedOut
			? 'no answer within 60 s'
			: asked.ok
				? undefined
				: networkFailure(asked.output);
		if (unreachable)
			return {
				ok: false,
				reason: `the npm registry cannot be reached (${unreachable}), so ${describe(request)} cannot be installed`,
			};

		const staging = join(root, `${request.name}${STAGING}${process.pid}`);
		rmSync(staging, { recursive: true, force: true });
		mkdirSync(staging, { recursive: true });
		writeFileSync(join(staging, 'package.json'), manifest);
		const args = [
			'install',
			'--omit=dev',
			'--no-audit',
			'--no-fund',
			'--loglevel=error',
			...(request.ignoreScripts ? ['--ignore-scripts'] : []),
		];
		let installed = await runCommand('npm', args, {
			cwd: staging,
			env: npmEnv,
			timeoutMs: INSTALL_TIMEOUT_MS,
		});
		if (installed.ok && request.rebuild?.length) {
			installed = await runCommand('npm', ['rebuild', '--loglevel=error', ...request.rebuild], {
				cwd: staging,
				env: npmEnv,
				timeoutMs: INSTALL_TIMEOUT_MS,
			});
		}
		if (!installed.ok) {
			rmSync(staging, { recursive: true, force: true });
			const code = npmErrorCode(installed.output);
			if (code === 'ENOSPC') {
				return {
					ok: false,
					reason: `the disk filled up while installing ${describe(request)} into ${root} (it needs about ${gb(request.needBytes)} GB)`,
				};
			}
			const network = networkFailure(installed.output);
			if (network)
				return {
					ok: false,
					reason: `the npm registry stopped answering while installing ${describe(request)} (${network})`,
				};
			const why = installed.timedOut
				? `no result within ${INSTALL_TIMEOUT_MS / 60_000} minutes`
				: `npm error code ${code ?? 'unknown'}`;
			throw new Error(
				`npm install of ${describe(request)} failed (${why}):\n${installed.output.slice(-4000)}`,
			);
		}
		writeFileSync(join(staging, MARKER), manifest);
		rmSync(dir, { recursive: true, force: true });
		renameSync(staging, dir);
		return { ok: true, dir, installedNow: true, seconds: (Date.now() - started) / 1000 };
	} finally {
		release();
	}
}

/**
 * npm's environment: the requested Node first on PATH, so npm and its scripts run on it, and its
 * own headers (a Node release's `include/node`, beside `bin/`) for node-gyp, which would otherwise
 * download them from outside the registry.
 */
function npmEnvFor(request: CachedInstallRequest): NodeJS.ProcessEnv {
	const env = request.npmEnv ?? process.env;
	if (!request.nodeBinary) return env;
	const bin = dirname(request.nodeBinary);
	return {
		...env,
		PATH: [bin, env.PATH].filter(Boolean).join(delimiter),
		npm_config_nodedir: dirname(bin),
	};
}

function readMarker(dir: string): string | undefined {
	const path = join(dir, MARKER);
	return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Staging folders of installs whose process died (killed mid-install, say): up to gigabytes each. */
function removeAbandonedStaging(root: string, name: string): void {
	for (const entry of readdirSync(root)) {
		if (!entry.startsWith(`${name}${STAGING}`)) continue;
		const pid = Number(entry.slice(`${name}${STAGING}`.length));
		if (!isAlive(pid)) rmSync(join(root, entry), { recursive: true, force: true });
	}
}

/** One install of a folder at a time (npm run dev and the e2e test may start together). */
async function lock(path: string): Promise<() => void> {
	for (;;) {
		try {
			writeFileSync(path, String(process.pid), { flag: 'wx' });
			return () => rmSync(path, { force: true });
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const holder = Number(readFileSync(path, 'utf8'));
			if (!holder || !isAlive(holder)) rmSync(path, { force: true });
			else await new Promise((done) => setTimeout(done, 2_000));
		}
	}
}

function freeBytes(path: string): number {
	const stats = statfsSync(path);
	return stats.bavail * stats.bsize;
}

function gb(bytes: number): string {
	return (bytes / 1024 ** 3).toFixed(1);
}

function describe(request: CachedInstallRequest): string {
	return Object.entries(request.dependencies)
		.map(([name, version]) => `${name} ${version}`)
		.join(', ');
}

/** The code npm gives its own failure ("npm error code E404"), not a word from a script's output. */
function npmErrorCode(npmOutput: string): string | undefined {
	return /^npm (?:error|ERR!) code (\S+)/m.exec(npmOutput)?.[1];
}

/** What npm said when it could not talk to the registry at all; undefined for any other failure. */
function networkFailure(npmOutput: string): string | undefined {
	const code = npmErrorCode(npmOutput);
	return code && NETWORK_CODES.has(code) ? code : undefined;
}
