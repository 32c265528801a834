/**
 * Where the join ledger lives, decided once per step from n8n's environment and the node's
 * choice: a file under n8n's user folder when n8n runs as one process; the Redis of n8n's queue
 * when it runs in queue mode (EXECUTIONS_MODE=queue, n8n's own QUEUE_BULL_REDIS_* settings, so
 * there is nothing to set up); or the Redis of an n8n Redis credential chosen on the node. One
 * store per place and process, opened on first use.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

import type { Checked } from '../shared/interfaces';
import { refuse } from '../shared/interfaces';
import { EmbeddedLedger } from './embeddedStore';
import type { RedisTarget } from './redisStore';
import { RedisLedger } from './redisStore';
import type { LedgerStore } from './store';
import { LedgerUnavailableError } from './store';

export type Environment = Readonly<Record<string, string | undefined>>;

/** The fields of n8n's built-in Redis credential (`redis`) the ledger reads. */
export interface RedisCredentialFields {
	host?: unknown;
	port?: unknown;
	database?: unknown;
	user?: unknown;
	password?: unknown;
	ssl?: unknown;
	disableTlsVerification?: unknown;
}

export type LedgerPlace = { kind: 'file'; folder: string } | { kind: 'redis'; target: RedisTarget };

/** The node's Join Ledger parameter: automatic, or the Redis of a credential. */
export type LedgerChoice =
	{ kind: 'automatic' } | { kind: 'redis'; credential: RedisCredentialFields };

/** Where the ledger is for this choice and environment, or what is wrong with the settings. Pure. */
export function ledgerPlace(choice: LedgerChoice, env: Environment): Checked<LedgerPlace> {
	if (choice.kind === 'redis') return redisFromCredential(choice.credential);
	if (env.EXECUTIONS_MODE === 'queue') return redisFromQueueSettings(env);
	// n8n's own user folder (InstanceSettings.n8nFolder), beside what n8n keeps for nodes.
	const home = env.N8N_USER_FOLDER || env.HOME || env.USERPROFILE || process.cwd();
	return {
		ok: true,
		value: { kind: 'file', folder: join(home, '.n8n', 'storage', 'n8n-nodes-ryzeapi') },
	};
}

function redisFromQueueSettings(env: Environment): Checked<LedgerPlace> {
	if (env.QUEUE_BULL_REDIS_CLUSTER_NODES) {
		return refuse(
			'n8n runs its queue on a Redis cluster (QUEUE_BULL_REDIS_CLUSTER_NODES), which the join ledger does not use: choose a Redis credential (a single Redis) under Join Ledger.',
		);
	}
	const port = Number(env.QUEUE_BULL_REDIS_PORT || 6379);
	const database = Number(env.QUEUE_BULL_REDIS_DB || 0);
	if (!Number.isInteger(port) || !Number.isInteger(database)) {
		return refuse(
			"n8n's QUEUE_BULL_REDIS_PORT or QUEUE_BULL_REDIS_DB is not a whole number: the join ledger cannot reach n8n's Redis.",
		);
	}
	return {
		ok: true,
		value: {
			kind: 'redis',
			target: {
				host: env.QUEUE_BULL_REDIS_HOST || 'localhost',
				port,
				database,
				user: env.QUEUE_BULL_REDIS_USERNAME || undefined,
				password: env.QUEUE_BULL_REDIS_PASSWORD || undefined,
				tls: env.QUEUE_BULL_REDIS_TLS === 'true',
				source: "n8n's QUEUE_BULL_REDIS_* settings",
			},
		},
	};
}

function redisFromCredential(fields: RedisCredentialFields): Checked<LedgerPlace> {
	const host =
		typeof fields.host === 'string' && fields.host.trim() !== '' ? fields.host.trim() : 'localhost';
	const port = Number(fields.port ?? 6379);
	const database = Number(fields.database ?? 0);
	if (!Number.isInteger(port) || port <= 0 || !Number.isInteger(database) || database < 0) {
		return refuse(
			'The Redis credential chosen under Join Ledger needs a whole port and database number.',
		);
	}
	const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
	return {
		ok: true,
		value: {
			kind: 'redis',
			target: {
				host,
				port,
				database,
				user: text(fields.user),
				password: text(fields.password),
				tls: fields.ssl === true,
				skipTlsVerification: fields.disableTlsVerification === true,
				source: 'the Redis credential chosen under Join Ledger',
			},
		},
	};
}

const stores = new Map<string, Promise<LedgerStore>>();

/** The store at this place, opened once per process; a failed opening is tried again next time. */
async function openLedger(place: LedgerPlace): Promise<LedgerStore> {
	const key = placeKey(place);
	let store = stores.get(key);
	if (!store) {
		store =
			place.kind === 'file'
				? EmbeddedLedger.open(place.folder)
				: Promise.resolve(new RedisLedger(place.target));
		stores.set(key, store);
		store.catch(() => stores.delete(key));
	}
	return await store;
}

/** Opens the ledger for this choice, or throws what is missing. */
export async function ledgerFor(choice: LedgerChoice, env: Environment): Promise<LedgerStore> {
	const place = ledgerPlace(choice, env);
	if (!place.ok) throw new LedgerUnavailableError(place.message);
	return await openLedger(place.value);
}

function placeKey(place: LedgerPlace): string {
	if (place.kind === 'file') return `file:${place.folder}`;
	const { password, ...rest } = place.target;
	// The password only through a hash: a map key is no place for it.
	const secret = createHash('sha256')
		.update(password ?? '')
		.digest('hex');
	return `redis:${JSON.stringify({ ...rest, source: undefined, secret })}`;
}
