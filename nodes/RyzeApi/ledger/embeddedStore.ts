/**
 * The ledger of one n8n process, kept in memory and in a journal file under n8n's user folder:
 * each step appends the records and state it changed as JSON lines before it counts, so the
 * ledger survives a restart (or a crash of n8n) as it was after its last step. The journal is
 * rewritten compactly when it grows to twice what it holds. A lock file keeps a second process
 * out: the file is one process's, several processes share a Redis instead.
 */
import { unlinkSync } from 'node:fs';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';

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

const JOURNAL = 'join-ledger.jsonl';
const LOCK = 'join-ledger.lock';
/** Journal lines beyond what it holds before it is rewritten. */
const COMPACT_SLACK_LINES = 10_000;

interface Instance {
	state: InstanceState;
	records: Map<string, JoinRecord>;
}

/** One journal line: an instance's new state, a record put, or a code deleted. */
type JournalLine =
	{ i: string; s: InstanceState } | { i: string; r: JoinRecord } | { i: string; d: string };

export class EmbeddedLedger implements LedgerStore {
	private readonly instances = new Map<string, Instance>();
	private readonly queue = new StepQueue();
	private journal: FileHandle | undefined;
	private lines = 0;

	private constructor(
		private readonly folder: string,
		readonly where: string,
	) {}

	/** Opens (or creates) the ledger in `folder`; refuses one another live process holds. */
	static async open(folder: string): Promise<EmbeddedLedger> {
		const ledger = new EmbeddedLedger(folder, `the file ${join(folder, JOURNAL)}`);
		const opened = await Promise.resolve()
			.then(async () => {
				await mkdir(folder, { recursive: true, mode: 0o700 });
				await takeLock(join(folder, LOCK));
				await ledger.load();
				ledger.journal = await open(join(folder, JOURNAL), 'a', 0o600);
			})
			.then(
				() => undefined,
				(error: unknown) =>
					error instanceof LedgerUnavailableError
						? error
						: new LedgerUnavailableError(
								`The join ledger cannot be kept in ${folder} (${causeOf(error)}). Give n8n's user folder (N8N_USER_FOLDER) write access, or choose a Redis credential under Join Ledger.`,
							),
			);
		if (opened) throw opened;
		return ledger;
	}

	async update<R>(
		instance: LedgerInstance,
		codesOf: (state: InstanceState) => readonly string[] | 'all',
		step: (view: LedgerView) => Step<R>,
	): Promise<R> {
		return await this.queue.run(async () => {
			const id = instanceId(instance);
			const held = this.instances.get(id) ?? { state: emptyState(), records: new Map() };
			const codes = codesOf(held.state);
			const records =
				codes === 'all'
					? new Map(held.records)
					: new Map(
							codes.flatMap((code) => {
								const record = held.records.get(code);
								return record ? [[code, record] as const] : [];
							}),
						);
			const { writes, result } = step({ state: structuredClone(held.state), records });
			if (!hasWrites(writes)) return result;
			// Written first: a step that could not be kept does not count.
			await this.append(journalLines(id, writes));
			apply(held, writes);
			this.instances.set(id, held);
			// A failed rewrite leaves the journal as it was: the step stands.
			if (this.lines > 2 * this.size() + COMPACT_SLACK_LINES)
				await this.compact().catch(() => undefined);
			return result;
		});
	}

	async close(): Promise<void> {
		await this.queue.run(async () => {
			await this.journal?.close();
			this.journal = undefined;
		});
	}

	private async append(lines: JournalLine[]): Promise<void> {
		const text = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
		if (!this.journal)
			throw new LedgerUnavailableError(`The join ledger in ${this.where} was closed.`);
		const failed = await this.journal.write(text).then(
			() => undefined,
			(error: unknown) => causeOf(error),
		);
		if (failed !== undefined) {
			throw new LedgerUnavailableError(
				`The join ledger could not be written to ${this.where} (${failed}). Free disk space or fix the folder's permissions.`,
			);
		}
		this.lines += lines.length;
	}

	private async load(): Promise<void> {
		// No journal yet: a new ledger.
		const text = await readFile(join(this.folder, JOURNAL), 'utf8').catch((error: unknown) =>
			(error as NodeJS.ErrnoException).code === 'ENOENT' ? '' : Promise.reject(error),
		);
		for (const raw of text.split('\n')) {
			if (raw === '') continue;
			let line: JournalLine;
			try {
				line = JSON.parse(raw) as JournalLine;
			} catch {
				// A line cut short by a crash: what came before it is the ledger.
				continue;
			}
			const held = this.instances.get(line.i) ?? { state: emptyState(), records: new Map() };
			apply(
				held,
				's' in line ? { state: line.s } : 'r' in line ? { put: [line.r] } : { delete: [line.d] },
			);
			this.instances.set(line.i, held);
			this.lines++;
		}
	}

	/** Rewrites the journal with what the ledger holds now, then continues appending to it. */
	private async compact(): Promise<void> {
		const path = join(this.folder, JOURNAL);
		const lines: JournalLine[] = [];
		for (const [id, held] of this.instances) {
			lines.push({ i: id, s: held.state });
			for (const record of held.records.values()) lines.push({ i: id, r: record });
		}
		const handle = await open(`${path}.tmp`, 'w', 0o600);
		try {
			await handle.write(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
			await handle.sync();
		} finally {
			await handle.close();
		}
		await this.journal?.close();
		await rename(`${path}.tmp`, path);
		this.journal = await open(path, 'a', 0o600);
		this.lines = lines.length;
	}

	private size(): number {
		let size = 0;
		for (const held of this.instances.values()) size += 1 + held.records.size;
		return size;
	}
}

function journalLines(id: string, writes: LedgerWrites): JournalLine[] {
	return [
		...(writes.put ?? []).map((record) => ({ i: id, r: record })),
		...(writes.delete ?? []).map((code) => ({ i: id, d: code })),
		...(writes.state ? [{ i: id, s: writes.state }] : []),
	];
}

function apply(held: Instance, writes: LedgerWrites): void {
	for (const record of writes.put ?? []) held.records.set(record.code, record);
	for (const code of writes.delete ?? []) held.records.delete(code);
	if (writes.state) held.state = writes.state;
}

/**
 * The lock file holds the pid of the process that keeps the ledger. Another live process holding
 * it means two n8n processes share this user folder (queue mode, or a second n8n by mistake):
 * refused, since two writers would each miss the other's joins.
 */
async function takeLock(path: string): Promise<void> {
	const taken = await writeFile(path, String(process.pid), { flag: 'wx', mode: 0o600 }).then(
		() => true,
		(error: unknown) =>
			(error as NodeJS.ErrnoException).code === 'EEXIST' ? false : Promise.reject(error),
	);
	if (!taken) {
		const holder = Number((await readFile(path, 'utf8')).trim());
		if (Number.isSafeInteger(holder) && holder !== process.pid && isAlive(holder)) {
			throw new LedgerUnavailableError(
				`The join ledger in ${dirname(path)} is kept by another n8n process (pid ${holder}). Several n8n processes (queue mode) share the ledger in Redis: run them with EXECUTIONS_MODE=queue and n8n's QUEUE_BULL_REDIS_* settings, or choose a Redis credential under Join Ledger. If no other n8n uses this folder (process ${holder} is not n8n), delete ${path}.`,
			);
		}
		await writeFile(path, String(process.pid), { mode: 0o600 });
	}
	process.once('exit', () => {
		try {
			unlinkSync(path);
		} catch {
			// Gone already: nothing to free.
		}
	});
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
