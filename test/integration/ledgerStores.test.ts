/**
 * The join ledger's two stores doing the same steps: the file of one n8n process
 * (ledger/embeddedStore.ts: survives a restart, a torn last line, keeps a second process out) and
 * a Redis that several processes share (ledger/redisStore.ts, a real redis-server on loopback:
 * reservations from many connections at once never exceed the budget nor send a code twice).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { EmbeddedLedger } from '../../nodes/RyzeApi/ledger/embeddedStore';
import { JoinLedger } from '../../nodes/RyzeApi/ledger/joinLedger';
import { ledgerFor, ledgerPlace } from '../../nodes/RyzeApi/ledger/openLedger';
import type { LedgerInstance } from '../../nodes/RyzeApi/ledger/records';
import { DAY_MS } from '../../nodes/RyzeApi/ledger/records';
import { RedisLedger } from '../../nodes/RyzeApi/ledger/redisStore';
import type { LedgerStore } from '../../nodes/RyzeApi/ledger/store';
import { LedgerUnavailableError } from '../../nodes/RyzeApi/ledger/store';
import type { Service } from '../support/n8n/queueServices';
import { findRedis, startRedis } from '../support/n8n/queueServices';

const NOW = Date.UTC(2026, 5, 10, 12, 0);
const MAIN: LedgerInstance = { server: 'http://127.0.0.1:1', instance: 'main' };
const rules = { maxPerHour: 10, maxPerDay: 10 };

function reservation(codes: string[], run: string) {
	return { codes, run, nowMs: NOW, rules, pendingRecheckMs: 3 * DAY_MS };
}

const opened: LedgerStore[] = [];
afterAll(async () => {
	await Promise.all(opened.map(async (store) => await store.close()));
});

/**
 * The same behaviour, whatever the store. `openAnother` opens what another process would use: the
 * same file store (one process keeps it), or another connection to the same Redis.
 */
function behavesAsALedger(
	name: string,
	open: () => Promise<LedgerStore>,
	openAnother: (first: LedgerStore) => Promise<LedgerStore>,
) {
	describe(name, () => {
		it('reserves within the budget, records answers and finds them again', async () => {
			const ledger = new JoinLedger(await open());
			const instance = { ...MAIN, instance: `i-${Math.random()}` };
			const verdicts = await ledger.reserve(instance, reservation(['A', 'B'], 'r1'));
			expect([...verdicts.values()].map((verdict) => verdict.kind)).toEqual(['send', 'send']);
			await ledger.recordAnswers(
				instance,
				[
					{ code: 'A', status: 'joined', groupJid: '1@g.us', reason: null },
					{ code: 'B', status: 'pending_approval', groupJid: '2@g.us', reason: null },
				],
				'r1',
				NOW + 1,
			);
			const lookup = await ledger.lookup(instance, ['A', 'B', 'C'], NOW + 2, 3 * DAY_MS);
			expect([...lookup.known.keys()].sort()).toEqual(['A', 'B']);
			expect(lookup.state.joinCounts).toEqual([[NOW, 2]]);
			const marked = await ledger.markGroupsJoined(instance, ['2@g.us'], NOW + 3);
			expect(marked.map((record) => record.code)).toEqual(['B']);
			const status = await ledger.status(instance, NOW + 4);
			expect(status).toMatchObject({ joinsLastHour: 2, records: { joined: 2 } });
		});

		it('many reservations at once: the budget holds and no code goes twice', async () => {
			const first = await open();
			const stores = [
				first,
				...(await Promise.all(Array.from({ length: 5 }, async () => await openAnother(first)))),
			];
			const instance = { ...MAIN, instance: `race-${Math.random()}` };
			const codes = Array.from({ length: 30 }, (_, index) => `C${index}`);
			const all = await Promise.all(
				stores.flatMap((store, worker) =>
					Array.from(
						{ length: 5 },
						async (_, batch) =>
							await new JoinLedger(store).reserve(
								instance,
								reservation(
									codes.slice(batch * 6, batch * 6 + 6).concat(codes.slice(0, 3)),
									`w${worker}`,
								),
							),
					),
				),
			);
			const sent = all.flatMap((verdicts) =>
				[...verdicts].filter(([, verdict]) => verdict.kind === 'send').map(([code]) => code),
			);
			expect(sent).toHaveLength(10);
			expect(new Set(sent).size).toBe(10);
		});
	});
}

describe('the file store', () => {
	let folder: string;
	beforeEach(() => {
		folder = mkdtempSync(join(tmpdir(), 'ryzeapi-ledger-'));
	});

	behavesAsALedger(
		'as a ledger',
		async () => kept(await EmbeddedLedger.open(mkdtempSync(join(tmpdir(), 'ryzeapi-ledger-')))),
		async (first) => first,
	);

	it('a new process reads what the last one wrote, even after a line cut short by a crash', async () => {
		const first = new JoinLedger(kept(await EmbeddedLedger.open(folder)));
		await first.reserve(MAIN, reservation(['A'], 'r1'));
		await first.recordAnswers(
			MAIN,
			[{ code: 'A', status: 'joined', groupJid: '1@g.us', reason: null }],
			'r1',
			NOW,
		);
		appendFileSync(join(folder, 'join-ledger.jsonl'), '{"i":"cut sho');
		const again = new JoinLedger(kept(await EmbeddedLedger.open(folder)));
		const lookup = await again.lookup(MAIN, ['A'], NOW, DAY_MS);
		expect(lookup.known.get('A')).toMatchObject({ status: 'joined', groupJid: '1@g.us' });
		expect(lookup.state.joinCounts).toEqual([[NOW, 1]]);
	});

	it('refuses a folder another live process keeps, and takes it over once that process is gone', async () => {
		const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
		writeFileSync(join(folder, 'join-ledger.lock'), String(other.pid));
		await expect(EmbeddedLedger.open(folder)).rejects.toThrow(
			new RegExp(`kept by another n8n process \\(pid ${other.pid}\\).*QUEUE_BULL_REDIS_`),
		);
		other.kill('SIGKILL');
		await new Promise((resolve) => other.once('exit', resolve));
		expect(kept(await EmbeddedLedger.open(folder))).toBeInstanceOf(EmbeddedLedger);
		expect(readFileSync(join(folder, 'join-ledger.lock'), 'utf8')).toBe(String(process.pid));
	});

	it('a folder it cannot write says what to do', async () => {
		writeFileSync(join(folder, 'file'), 'not a folder');
		const error = await EmbeddedLedger.open(join(folder, 'file', 'ledger')).catch(
			(thrown: unknown) => thrown,
		);
		expect(error).toBeInstanceOf(LedgerUnavailableError);
		expect((error as Error).message).toMatch(
			/cannot be kept in .*N8N_USER_FOLDER.*Redis credential/,
		);
	});

	it("automatic: under n8n's user folder in one process, in n8n's queue Redis in queue mode", () => {
		expect(ledgerPlace({ kind: 'automatic' }, { N8N_USER_FOLDER: '/data' })).toEqual({
			ok: true,
			value: { kind: 'file', folder: join('/data', '.n8n', 'storage', 'n8n-nodes-ryzeapi') },
		});
		const queue = ledgerPlace(
			{ kind: 'automatic' },
			{
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: 'redis.internal',
				QUEUE_BULL_REDIS_PORT: '6380',
				QUEUE_BULL_REDIS_DB: '2',
				QUEUE_BULL_REDIS_USERNAME: 'n8n',
				QUEUE_BULL_REDIS_PASSWORD: 'secret',
				QUEUE_BULL_REDIS_TLS: 'true',
			},
		);
		expect(queue).toEqual({
			ok: true,
			value: {
				kind: 'redis',
				target: {
					host: 'redis.internal',
					port: 6380,
					database: 2,
					user: 'n8n',
					password: 'secret',
					tls: true,
					source: "n8n's QUEUE_BULL_REDIS_* settings",
				},
			},
		});
		const cluster = ledgerPlace(
			{ kind: 'automatic' },
			{ EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_CLUSTER_NODES: 'a:1,b:2' },
		);
		expect(cluster.ok).toBe(false);
	});
});

describe('the Redis store', () => {
	let redis: Service | undefined;
	let unavailable: string | undefined;

	beforeAll(async () => {
		const found = await findRedis();
		if (!found.ok) {
			unavailable = found.reason;
			console.log(`Redis store tests not run: ${found.reason}`);
			return;
		}
		redis = await startRedis(found.path);
	}, 300_000);

	afterAll(async () => {
		await Promise.all(opened.splice(0).map(async (store) => await store.close()));
		await redis?.stop();
	});

	const open = async (): Promise<LedgerStore> => {
		if (!redis) throw new Error(`no redis-server here: ${unavailable}`);
		return new RedisLedger({
			host: '127.0.0.1',
			port: redis.port,
			database: 3,
			tls: false,
			source: 'the test',
		});
	};

	behavesAsALedger('as a ledger', open, open);

	it('keys live under the package prefix, and hold no token', async () => {
		const ledger = new JoinLedger(await open());
		await ledger.reserve(
			{ server: 'https://ryzeapi.cloud', instance: 'keys' },
			reservation(['K'], 'r'),
		);
		const { default: Redis } = await import('ioredis');
		const client = new Redis({ port: redis?.port, db: 3, lazyConnect: true });
		await client.connect();
		const keys = await client.keys('*');
		await client.quit();
		expect(keys.length).toBeGreaterThan(0);
		for (const key of keys)
			expect(key).toMatch(/^n8n-nodes-ryzeapi:join-ledger:[0-9a-f]{32}:(state|records)$/);
	});

	it('a Redis that does not answer: the step fails saying where and what to do', async () => {
		const store = kept(
			await ledgerFor({ kind: 'redis', credential: { host: '127.0.0.1', port: 1 } }, {}),
		);
		const error = await new JoinLedger(store)
			.reserve(MAIN, reservation(['A'], 'r'))
			.catch((thrown: unknown) => thrown);
		expect(error).toBeInstanceOf(LedgerUnavailableError);
		expect((error as Error).message).toMatch(
			/^The join ledger's Redis at 127\.0\.0\.1:1 \(database 0, from the Redis credential chosen under Join Ledger\) cannot be used \(.*ECONNREFUSED.*\)\. Start Redis or fix its settings\.$/,
		);
	});
});

function kept<S extends LedgerStore>(store: S): S {
	opened.push(store);
	return store;
}
