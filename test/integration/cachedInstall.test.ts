/**
 * The cached installer decides whether CI runs the end-to-end suite or skips it, so each of its
 * answers is checked against a real npm talking to a registry on loopback.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensureCachedInstall } from '../support/n8n/cachedInstall';

const FIXTURE = 'ryzeapi-cache-fixture';
const SCRIPTED = 'ryzeapi-cache-scripted';
/**
 * The scripted fixture's install script: the first folder on PATH after npm's own (which finds
 * `node`), and which headers node-gyp would use.
 */
const RECORD_SCRIPT = `node -e "require('fs').writeFileSync('ran.json', JSON.stringify({ path: process.env.PATH.split(':').find((dir) => !dir.includes('node_modules')), nodedir: process.env.npm_config_nodedir || null }))"`;
const work = mkdtempSync(join(tmpdir(), 'ryzeapi-cached-install-'));
const requests: string[] = [];
let server: Server;
let registry: string;
/** Every npm this test starts talks to the loopback registry, with its own empty cache, no retries. */
let npmEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
	// One-file packages, packed by npm itself, served with their packuments. The scripted one's
	// install script records what npm ran it with.
	const served = new Map<string, { packument: string; tarballPath: string; tarball: Buffer }>();
	for (const [name, scripts] of [
		[FIXTURE, undefined],
		[SCRIPTED, { install: RECORD_SCRIPT }],
	] as const) {
		const source = join(work, name);
		mkdirSync(source);
		writeFileSync(
			join(source, 'package.json'),
			JSON.stringify({ name, version: '1.0.0', main: 'index.js', scripts }),
		);
		writeFileSync(join(source, 'index.js'), 'module.exports = 42;\n');
		const tarballName = execFileSync(
			'npm',
			['pack', '--loglevel=error', '--pack-destination', work],
			{ cwd: source, encoding: 'utf8' },
		)
			.trim()
			.split('\n')
			.pop()!;
		const tarball = readFileSync(join(work, tarballName));
		const tarballPath = `/${name}/-/${tarballName}`;
		served.set(name, {
			tarballPath,
			tarball,
			packument: JSON.stringify({
				name,
				'dist-tags': { latest: '1.0.0' },
				versions: {
					'1.0.0': {
						name,
						version: '1.0.0',
						...(scripts ? { scripts } : {}),
						dist: {
							// The registry's address is known once it listens; filled in per request.
							tarball: `REGISTRY${tarballPath.slice(1)}`,
							shasum: createHash('sha1').update(tarball).digest('hex'),
							integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
						},
					},
				},
			}),
		});
	}
	server = createServer((req, res) => {
		requests.push(req.url ?? '');
		const byName = served.get((req.url ?? '').slice(1));
		const byTarball = [...served.values()].find((entry) => entry.tarballPath === req.url);
		if (byName) {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(byName.packument.replace('REGISTRY', registry));
		} else if (byTarball) {
			res.writeHead(200, { 'content-type': 'application/octet-stream' });
			res.end(byTarball.tarball);
		} else {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end('{"error":"Not found"}');
		}
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}, 60_000);

beforeEach(() => {
	requests.length = 0;
	npmEnv = {
		...process.env,
		npm_config_registry: registry,
		npm_config_cache: join(work, `npm-cache-${requests.length}-${Date.now()}`),
		npm_config_fetch_retries: '0',
		npm_config_update_notifier: 'false',
	};
});

afterAll(async () => {
	await new Promise((done) => server.close(done));
	rmSync(work, { recursive: true, force: true });
});

test('installs once into the cache folder, then reuses it without asking the registry', async () => {
	const root = join(work, 'cache-a');
	const first = await ensureCachedInstall(
		{ name: 'fixture', dependencies: { [FIXTURE]: '1.0.0' }, needBytes: 1, npmEnv },
		root,
	);
	expect(first).toMatchObject({ ok: true, installedNow: true, dir: join(root, 'fixture') });
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	expect(require(join(root, 'fixture', 'node_modules', FIXTURE))).toBe(42);
	expect(requests.length).toBeGreaterThan(0);

	requests.length = 0;
	const second = await ensureCachedInstall(
		{ name: 'fixture', dependencies: { [FIXTURE]: '1.0.0' }, needBytes: 1, npmEnv },
		root,
	);
	expect(second).toEqual({ ok: true, dir: join(root, 'fixture'), installedNow: false, seconds: 0 });
	expect(requests).toEqual([]);
}, 60_000);

test('with too little free disk it says so in one line and installs nothing', async () => {
	const root = join(work, 'cache-b');
	const result = await ensureCachedInstall(
		{ name: 'fixture', dependencies: { [FIXTURE]: '1.0.0' }, needBytes: 2 ** 60, npmEnv },
		root,
	);
	expect(result).toEqual({
		ok: false,
		reason: expect.stringMatching(
			/^only [\d.]+ GB free in .+; installing ryzeapi-cache-fixture 1\.0\.0 needs about [\d.]+ GB$/,
		),
	});
	expect(requests).toEqual([]);
	expect(existsSync(join(root, 'fixture'))).toBe(false);
});

test('with no registry answering it says so in one line', async () => {
	npmEnv.npm_config_registry = 'http://127.0.0.1:9/'; // the discard port: nothing listens there
	const root = join(work, 'cache-c');
	const result = await ensureCachedInstall(
		{ name: 'fixture', dependencies: { [FIXTURE]: '1.0.0' }, needBytes: 1, npmEnv },
		root,
	);
	expect(result).toEqual({
		ok: false,
		reason: expect.stringMatching(
			/^the npm registry cannot be reached \(.*ECONNREFUSED.*\), so ryzeapi-cache-fixture 1\.0\.0 cannot be installed$/,
		),
	});
	expect(existsSync(join(root, 'fixture'))).toBe(false);
}, 60_000);

test('a registry that answers "no such version" is a failure, not a skip, and leaves no half install', async () => {
	const root = join(work, 'cache-d');
	await expect(
		ensureCachedInstall(
			{ name: 'fixture', dependencies: { [FIXTURE]: '9.9.9' }, needBytes: 1, npmEnv },
			root,
		),
	).rejects.toThrow(/npm install of ryzeapi-cache-fixture 9\.9\.9 failed/);
	expect(existsSync(root) ? readdirSync(root) : []).toEqual([]);
}, 60_000);

test('scripts off, then only the named packages rebuilt: their install scripts run, on the Node asked for', async () => {
	const root = join(work, 'cache-e');
	// A Node release's layout: bin/node beside include/, here a link to the Node running this test.
	const release = join(work, 'node-release');
	mkdirSync(join(release, 'bin'), { recursive: true });
	symlinkSync(process.execPath, join(release, 'bin', 'node'));
	const request = {
		name: 'scripted',
		dependencies: { [SCRIPTED]: '1.0.0', [FIXTURE]: '1.0.0' },
		needBytes: 1,
		npmEnv,
		ignoreScripts: true,
	};
	const ran = () => join(root, 'scripted', 'node_modules', SCRIPTED, 'ran.json');

	expect(await ensureCachedInstall(request, root)).toMatchObject({ ok: true, installedNow: true });
	expect(existsSync(ran())).toBe(false);

	const rebuilt = await ensureCachedInstall(
		{ ...request, rebuild: [SCRIPTED], nodeBinary: join(release, 'bin', 'node') },
		root,
	);
	// Installed another way: made again, not taken for the scripts-off install.
	expect(rebuilt).toMatchObject({ ok: true, installedNow: true });
	expect(JSON.parse(readFileSync(ran(), 'utf8'))).toEqual({
		path: join(release, 'bin'),
		nodedir: release,
	});
}, 120_000);
