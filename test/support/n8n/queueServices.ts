/**
 * PostgreSQL and Redis for n8n's queue mode, from Debian's packages: found (or installed with
 * apt-get when missing and this is root), each started on 127.0.0.1 on a free port with its data
 * in a temporary folder, and stopped (folder removed) afterwards. Nothing is left running.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
	chmodSync,
	chownSync,
	createWriteStream,
	mkdirSync,
	existsSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './realN8n';
import { aptInstall, onPath } from '../aptInstall';
import { runCommand } from '../processes';

export type Found =
	| { ok: true; path: string; installedNow: boolean; seconds: number }
	/** One line for the user: why it cannot be had here. */
	| { ok: false; reason: string };

const POSTGRES_ROOT = '/usr/lib/postgresql';

/** The newest PostgreSQL server's bin folder from Debian's layout, or from PATH. */
function postgresBinDir(): string | undefined {
	if (existsSync(POSTGRES_ROOT)) {
		const versions = readdirSync(POSTGRES_ROOT)
			.filter((name) => existsSync(join(POSTGRES_ROOT, name, 'bin', 'postgres')))
			.sort((a, b) => Number(b) - Number(a));
		if (versions.length > 0) return join(POSTGRES_ROOT, versions[0], 'bin');
	}
	const initdb = onPath('initdb');
	return initdb && existsSync(join(initdb, '..', 'postgres')) ? join(initdb, '..') : undefined;
}

export async function findPostgres(): Promise<Found> {
	const started = Date.now();
	const found = postgresBinDir();
	if (found) return { ok: true, path: found, installedNow: false, seconds: 0 };
	// Debian's postgresql package would create and start a "main" cluster on port 5432;
	// createcluster.conf (read by its postinst) turns that off, so only the test's own server runs.
	const conf = '/etc/postgresql-common/createcluster.conf';
	if (process.getuid?.() === 0 && onPath('apt-get') && !existsSync(conf)) {
		mkdirSync('/etc/postgresql-common', { recursive: true });
		writeFileSync(conf, 'create_main_cluster = false\n');
	}
	const installed = await aptInstall(['postgresql']);
	if (!installed.ok) return installed;
	const path = postgresBinDir();
	if (!path)
		return { ok: false, reason: 'apt-get installed postgresql, but no postgres binary was found' };
	return { ok: true, path, installedNow: true, seconds: (Date.now() - started) / 1000 };
}

export async function findRedis(): Promise<Found> {
	const started = Date.now();
	const found = onPath('redis-server');
	if (found) return { ok: true, path: found, installedNow: false, seconds: 0 };
	const installed = await aptInstall(['redis-server']);
	if (!installed.ok) return installed;
	const path = onPath('redis-server');
	if (!path) return { ok: false, reason: 'apt-get installed redis-server, but it is not on PATH' };
	return { ok: true, path, installedNow: true, seconds: (Date.now() - started) / 1000 };
}

/** A server started here: its port, and stop() which ends it and removes its folder. */
export interface Service {
	port: number;
	folder: string;
	logFile: string;
	stop(): Promise<void>;
}

/**
 * PostgreSQL refuses to run as root; as root, the server runs as the `postgres` user that
 * Debian's package creates (or `nobody`), with a data folder it owns. Trust authentication on
 * 127.0.0.1 only: a throwaway database for one test run.
 */
export async function startPostgres(
	binDir: string,
): Promise<Service & { user: string; database: string }> {
	const folder = mkdtempSync(join(tmpdir(), 'ryzeapi-postgres-'));
	const data = join(folder, 'data');
	const logFile = join(folder, 'postgres.log');
	const asUser = process.getuid?.() === 0 ? (userIds('postgres') ?? userIds('nobody')) : undefined;
	if (process.getuid?.() === 0 && !asUser)
		throw new Error('running as root, and neither a postgres nor a nobody user exists');
	if (asUser) {
		chownSync(folder, asUser.uid, asUser.gid);
		chmodSync(folder, 0o700);
	}
	const user = 'n8n';
	const database = 'n8n';
	const spawnAs = asUser ? { uid: asUser.uid, gid: asUser.gid } : {};
	const initdb = await runCommand(
		join(binDir, 'initdb'),
		['-D', data, '-U', user, '--auth=trust', '--no-sync', '--encoding=UTF8', '--locale=C'],
		{ ...spawnAs, cwd: folder, timeoutMs: 120_000 },
	);
	if (!initdb.ok) {
		rmSync(folder, { recursive: true, force: true });
		throw new Error(`initdb failed:\n${initdb.output.slice(-2000)}`);
	}
	const port = await freePort();
	// Durability is worth nothing in a throwaway database, and costs a shared machine's disk time.
	const server = launch(
		join(binDir, 'postgres'),
		[
			'-D',
			data,
			'-p',
			String(port),
			'-k',
			folder,
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
		],
		logFile,
		spawnAs,
		folder,
	);
	const stop = stopper(server, 'SIGINT', folder); // SIGINT: PostgreSQL's fast shutdown
	try {
		await waitFor(
			async () =>
				(
					await runCommand(
						join(binDir, 'pg_isready'),
						['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'postgres'],
						{ timeoutMs: 10_000 },
					)
				).ok,
			server,
			60_000,
			`PostgreSQL on port ${port}`,
			logFile,
		);
		const created = await runCommand(
			join(binDir, 'createdb'),
			['-h', '127.0.0.1', '-p', String(port), '-U', user, database],
			{ timeoutMs: 30_000 },
		);
		if (!created.ok) throw new Error(`createdb failed:\n${created.output.slice(-2000)}`);
	} catch (error) {
		await stop();
		throw error;
	}
	return { port, folder, logFile, user, database, stop };
}

/** Redis on 127.0.0.1, in memory only (no snapshot, no append-only file). */
export async function startRedis(redisServer: string): Promise<Service> {
	const folder = mkdtempSync(join(tmpdir(), 'ryzeapi-redis-'));
	const logFile = join(folder, 'redis.log');
	const port = await freePort();
	const server = launch(
		redisServer,
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--dir',
			folder,
			'--save',
			'',
			'--appendonly',
			'no',
			'--daemonize',
			'no',
		],
		logFile,
		{},
		folder,
	);
	const stop = stopper(server, 'SIGTERM', folder);
	try {
		await waitFor(() => redisAnswersPing(port), server, 30_000, `Redis on port ${port}`, logFile);
	} catch (error) {
		await stop();
		throw error;
	}
	return { port, folder, logFile, stop };
}

function userIds(name: string): { uid: number; gid: number } | undefined {
	const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
	const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
	if (uid.status !== 0 || gid.status !== 0) return undefined;
	return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function launch(
	command: string,
	args: string[],
	logFile: string,
	ids: { uid?: number; gid?: number },
	cwd: string,
): ChildProcess {
	const log = createWriteStream(logFile);
	const child = spawn(command, args, { ...ids, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout?.pipe(log);
	child.stderr?.pipe(log);
	child.once('exit', () => log.end());
	// Whatever ends this process, the server ends with it.
	const kill = () => child.kill('SIGKILL');
	process.once('exit', kill);
	child.once('exit', () => process.removeListener('exit', kill));
	return child;
}

function stopper(child: ChildProcess, signal: NodeJS.Signals, folder: string): () => Promise<void> {
	let stopped: Promise<void> | undefined;
	return () =>
		(stopped ??= (async () => {
			if (child.exitCode === null && child.signalCode === null) {
				const exited = once(child, 'exit');
				child.kill(signal);
				let timer: NodeJS.Timeout | undefined;
				const late = new Promise((done) => (timer = setTimeout(done, 20_000)));
				if ((await Promise.race([exited.then(() => 'exited'), late])) !== 'exited') {
					child.kill('SIGKILL');
					await exited;
				}
				clearTimeout(timer);
			}
			rmSync(folder, { recursive: true, force: true });
		})());
}

async function waitFor(
	ready: () => Promise<boolean>,
	child: ChildProcess,
	timeoutMs: number,
	what: string,
	logFile: string,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null || child.signalCode !== null)
			throw new Error(`${what} ended before it was ready:\n${tail(logFile)}`);
		if (await ready()) return;
		await new Promise((done) => setTimeout(done, 200));
	}
	throw new Error(`${what} was not ready within ${timeoutMs / 1000} s:\n${tail(logFile)}`);
}

function tail(file: string): string {
	return existsSync(file)
		? readFileSync(file, 'utf8').split('\n').slice(-20).join('\n')
		: '(no log)';
}

/** Redis's PING over a plain socket, so that redis-cli need not be installed. */
async function redisAnswersPing(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		let answer = '';
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(2_000, () => done(false));
		socket.on('error', () => done(false));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk: Buffer) => {
			answer += chunk.toString('utf8');
			if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
		});
	});
}

/**
 * n8n's settings for queue mode on these services, for the main and every worker alike: the
 * queue in Redis (where the join ledger also finds its Redis), the database in PostgreSQL.
 */
export function queueModeEnv(
	postgres: Service & { user: string; database: string },
	redis: Service,
): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_PASSWORD: '',
	};
}
