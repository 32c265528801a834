/**
 * The ledger in a Redis every n8n process shares (queue mode): per instance a state key (JSON)
 * and a hash of records by code, under the package's own key prefix. Each step is one optimistic
 * transaction: WATCH both keys, read, decide, MULTI/EXEC the writes, again if another process
 * wrote in between. WATCH belongs to a connection, so the steps of this process go one at a time.
 */
import { createHash } from 'node:crypto';

import Redis from 'ioredis';

import type {
	InstanceState,
	JoinRecord,
	LedgerInstance,
	LedgerView,
	LedgerWrites,
} from './records';
import { emptyState, hasWrites, instanceId } from './records';
import type { Step } from './reservation';
import type { LedgerStore } from './store';
import { causeOf, LedgerUnavailableError, StepQueue } from './store';

/** Where a Redis is and how to log in: n8n's queue settings or a Redis credential. */
export interface RedisTarget {
	host: string;
	port: number;
	database: number;
	user?: string;
	password?: string;
	tls: boolean;
	/** Only with tls: accept a certificate this process does not trust (the credential's own switch). */
	skipTlsVerification?: boolean;
	/** Where these settings came from, for messages: "n8n's QUEUE_BULL_REDIS_* settings". */
	source: string;
}

const KEY_PREFIX = 'n8n-nodes-ryzeapi:join-ledger:';
/** Transactions tried in a row before the step gives up (other processes kept writing). */
const MAX_ATTEMPTS = 50;
const TIMEOUT_MS = 5_000;

export class RedisLedger implements LedgerStore {
	readonly where: string;
	private readonly queue = new StepQueue();
	private client: Redis | undefined;
	private lastError: Error | undefined;

	constructor(private readonly target: RedisTarget) {
		this.where = `Redis at ${target.host}:${target.port} (database ${target.database}, from ${target.source})`;
	}

	async update<R>(
		instance: LedgerInstance,
		codesOf: (state: InstanceState) => readonly string[] | 'all',
		step: (view: LedgerView) => Step<R>,
	): Promise<R> {
		return await this.queue.run(async () => {
			const redis = await this.connected();
			const keys = keysOf(instance);
			try {
				for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
					const done = await this.attempt(redis, keys, codesOf, step);
					if (done) return done.result;
				}
			} catch (error) {
				throw this.unavailable(error);
			}
			throw new LedgerUnavailableError(
				`The join ledger in ${this.where} was changed by other processes ${MAX_ATTEMPTS} times in a row while this one decided: run the item again.`,
			);
		});
	}

	async close(): Promise<void> {
		await this.queue.run(async () => {
			const client = this.client;
			this.client = undefined;
			await client?.quit().catch(() => client.disconnect());
		});
	}

	/** One transaction; undefined when another process wrote a watched key in between. */
	private async attempt<R>(
		redis: Redis,
		keys: { state: string; records: string },
		codesOf: (state: InstanceState) => readonly string[] | 'all',
		step: (view: LedgerView) => Step<R>,
	): Promise<{ result: R } | undefined> {
		await redis.watch(keys.state, keys.records);
		const rawState = await redis.get(keys.state);
		const state = rawState === null ? emptyState() : (JSON.parse(rawState) as InstanceState);
		const codes = codesOf(state);
		const records = new Map<string, JoinRecord>();
		if (codes === 'all') {
			for (const [code, raw] of Object.entries(await redis.hgetall(keys.records)))
				records.set(code, JSON.parse(raw) as JoinRecord);
		} else if (codes.length > 0) {
			const raws = await redis.hmget(keys.records, ...codes);
			raws.forEach((raw, index) => {
				if (raw !== null) records.set(codes[index], JSON.parse(raw) as JoinRecord);
			});
		}
		const { writes, result } = step({ state, records });
		if (!hasWrites(writes)) {
			await redis.unwatch();
			return { result };
		}
		const exec = await transaction(redis, keys, writes).exec();
		if (exec === null) return undefined;
		const failed = exec.find(([error]) => error !== null);
		if (failed) throw failed[0];
		return { result };
	}

	private async connected(): Promise<Redis> {
		if (this.client && this.client.status === 'ready') return this.client;
		this.client?.disconnect();
		const { target } = this;
		const client = new Redis({
			host: target.host,
			port: target.port,
			db: target.database,
			username: target.user || undefined,
			password: target.password || undefined,
			tls: target.tls
				? { servername: target.host, rejectUnauthorized: target.skipTlsVerification !== true }
				: undefined,
			// Fail fast: a step waits for no reconnect, it says the ledger is unavailable.
			lazyConnect: true,
			connectTimeout: TIMEOUT_MS,
			commandTimeout: TIMEOUT_MS,
			maxRetriesPerRequest: 0,
			enableOfflineQueue: false,
			retryStrategy: () => null,
		});
		client.on('error', (error: Error) => {
			this.lastError = error;
		});
		this.lastError = undefined;
		try {
			await client.connect();
		} catch (error) {
			client.disconnect();
			throw this.unavailable(this.lastError ?? error);
		}
		this.client = client;
		return client;
	}

	private unavailable(error: unknown): LedgerUnavailableError {
		if (error instanceof LedgerUnavailableError) return error;
		// ioredis says only "Connection is closed." when the cause was given to its error event.
		const cause = this.lastError && /closed/i.test(causeOf(error)) ? this.lastError : error;
		return new LedgerUnavailableError(
			`The join ledger's ${this.where} cannot be used (${causeOf(cause)}). Start Redis or fix its settings.`,
		);
	}
}

function keysOf(instance: LedgerInstance): { state: string; records: string } {
	// Hashed: a server URL or an instance name may hold anything; the key stays short and plain.
	const id = createHash('sha256').update(instanceId(instance)).digest('hex').slice(0, 32);
	return { state: `${KEY_PREFIX}${id}:state`, records: `${KEY_PREFIX}${id}:records` };
}

function transaction(redis: Redis, keys: { state: string; records: string }, writes: LedgerWrites) {
	const multi = redis.multi();
	if (writes.put && writes.put.length > 0) {
		const fields: string[] = [];
		for (const record of writes.put) fields.push(record.code, JSON.stringify(record));
		multi.hset(keys.records, ...fields);
	}
	if (writes.delete && writes.delete.length > 0) multi.hdel(keys.records, ...writes.delete);
	if (writes.state) multi.set(keys.state, JSON.stringify(writes.state));
	return multi;
}
