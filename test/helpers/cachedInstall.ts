/**
 * Installs npm packages the project only needs for its benchmark, its end-to-end test and
 * `npm run dev` (n8n itself, n8n-nodes-base) into a cache folder outside the repository, once.
 *
 * n8n-nodes-base pins `xlsx` to a tarball outside the npm registry, which these machines cannot
 * fetch; the registry's 0.18.5 stands in (an `overrides` entry, which only works in a host package
 * not itself named `n8n`). A half-finished install never looks finished: it is made in a staging
 * folder and renamed into place, with a marker naming what it holds.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CachedInstallRequest {
	/** Folder name under the cache root. */
	name: string;
	dependencies: Record<string, string>;
	/** Free disk the install needs; below it, the install is not attempted. */
	needBytes: number;
	/** Skip the packages' install scripts (n8n needs them: sqlite3 builds its binding). */
	ignoreScripts?: boolean;
}

export type CachedInstall =
	| { ok: true; dir: string; installedNow: boolean; seconds: number }
	/** The machine cannot do it (no disk, no registry); reason is one line for the user. */
	| { ok: false; reason: string };

const MARKER = '.ryzeapi-install.json';
const XLSX_FROM_REGISTRY = { xlsx: '0.18.5' };

export function cacheRoot(): string {
	return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'n8n-nodes-ryzeapi');
}

export async function ensureCachedInstall(request: CachedInstallRequest, root = cacheRoot()): Promise<CachedInstall> {
	const dir = join(root, request.name);
	const started = Date.now();
	const manifest = {
		name: `ryzeapi-cache-${request.name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
		private: true,
		dependencies: request.dependencies,
		overrides: XLSX_FROM_REGISTRY,
	};
	if (readMarker(dir) === JSON.stringify(manifest)) return { ok: true, dir, installedNow: false, seconds: 0 };

	mkdirSync(root, { recursive: true });
	const free = freeBytes(root);
	if (free < request.needBytes) {
		return { ok: false, reason: `only ${gb(free)} GB free in ${root}; installing ${describe(request)} needs about ${gb(request.needBytes)} GB` };
	}
	const firstPackage = Object.entries(request.dependencies)[0];
	const reachable = await registryAnswers(`${firstPackage[0]}@${firstPackage[1]}`);
	if (!reachable.ok) return { ok: false, reason: `the npm registry cannot be reached (${reachable.why}), so ${describe(request)} cannot be installed` };

	const staging = `${dir}.partial-${process.pid}`;
	rmSync(staging, { recursive: true, force: true });
	mkdirSync(staging, { recursive: true });
	writeFileSync(join(staging, 'package.json'), JSON.stringify(manifest, null, 2));
	const args = ['install', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error', ...(request.ignoreScripts ? ['--ignore-scripts'] : [])];
	const installed = await npm(args, staging);
	if (!installed.ok) {
		rmSync(staging, { recursive: true, force: true });
		if (/ENOSPC|no space left/i.test(installed.output)) {
			return { ok: false, reason: `the disk filled up while installing ${describe(request)} into ${root} (it needs about ${gb(request.needBytes)} GB)` };
		}
		if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network/i.test(installed.output)) {
			return { ok: false, reason: `the npm registry stopped answering while installing ${describe(request)}` };
		}
		throw new Error(`npm install of ${describe(request)} failed:\n${installed.output.slice(-4000)}`);
	}
	writeFileSync(join(staging, MARKER), JSON.stringify(manifest));
	rmSync(dir, { recursive: true, force: true });
	renameSync(staging, dir);
	return { ok: true, dir, installedNow: true, seconds: (Date.now() - started) / 1000 };
}

function readMarker(dir: string): string | undefined {
	const path = join(dir, MARKER);
	return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
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

/** Asks the registry npm is configured with (proxy and .npmrc included) for one version. */
function registryAnswers(spec: string): Promise<{ ok: true } | { ok: false; why: string }> {
	return new Promise((resolve) => {
		execFile('npm', ['view', spec, 'version', '--loglevel=error'], { timeout: 60_000 }, (error, stdout, stderr) => {
			if (!error && stdout.trim()) resolve({ ok: true });
			else {
				const line = `${stderr}`.split('\n').find((text) => /ERR|error/i.test(text)) ?? error?.message ?? 'no answer';
				resolve({ ok: false, why: line.replace(/^npm (error|ERR!)\s*/i, '').trim().slice(0, 160) });
			}
		});
	});
}

function npm(args: string[], cwd: string): Promise<{ ok: boolean; output: string }> {
	return new Promise((resolve) => {
		const child = spawn('npm', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		const keep = (chunk: Buffer) => {
			output = (output + chunk.toString('utf8')).slice(-64_000);
		};
		child.stdout.on('data', keep);
		child.stderr.on('data', keep);
		child.on('error', (error) => resolve({ ok: false, output: `${output}\n${error.message}` }));
		child.on('close', (code) => resolve({ ok: code === 0, output }));
	});
}
