/**
 * Several OS processes, each running the RyzeAPI node in n8n's engine, sharing one token: how
 * n8n's queue mode runs it (one process per worker, nothing shared but the token). Used by the
 * multi-process test and by the benchmark. Each process gets its own distinct invite codes; all
 * start together; every process is killed at the deadline.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

export const CHILD_READY = 'READY';
export const CHILD_GO = 'GO';

export interface ChildJob {
	baseUrl: string;
	instanceName: string;
	token: string;
	codes: string[];
	/** The node's Options. */
	options: INodeParameters;
	/** Run dist/ (the benchmark) instead of the sources (the tests). */
	compiled: boolean;
}

export interface ItemOut {
	code: string;
	status: string;
	reason?: string;
}

export interface ChildResult {
	status: string;
	error?: string;
	/** The node's outputs (Success, Error), the items' invite codes, status and error reason. */
	outputs: ItemOut[][];
}

export interface SharedTokenOptions extends Omit<ChildJob, 'codes'> {
	processes: number;
	itemsEach: number;
	timeoutMs: number;
	/** Start just after the next multiple of this (a rate-limit window's start), once all are ready. */
	startAtWindowOfMs?: number;
}

/** The invite codes of process `index` (they join in the emulator: "Open…"). */
export function codesOf(index: number, count: number): string[] {
	return Array.from({ length: count }, (_, i) => `OpenWorker${index}x${i}`);
}

/** Runs the node in `processes` processes at once; resolves with each process's result. */
export async function runInProcesses(options: SharedTokenOptions): Promise<ChildResult[]> {
	const { processes, itemsEach, timeoutMs, startAtWindowOfMs, ...shared } = options;
	const children: ChildProcess[] = [];
	const results: Array<Promise<ChildResult>> = [];
	let timer: NodeJS.Timeout | undefined;
	try {
		const ready: Array<Promise<void>> = [];
		for (let index = 0; index < processes; index++) {
			const job: ChildJob = { ...shared, codes: codesOf(index, itemsEach) };
			const child = spawn(
				process.execPath,
				['--import', 'tsx', join(__dirname, 'sharedTokenChild.ts'), JSON.stringify(job)],
				{ stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: process.env },
			);
			children.push(child);
			const { ready: isReady, result } = watch(child, index);
			ready.push(isReady);
			results.push(result);
		}
		const deadline = new Promise<never>((_, reject) => {
			timer = setTimeout(
				() => reject(new Error(`the processes did not finish within ${timeoutMs} ms`)),
				timeoutMs,
			);
		});
		await Promise.race([Promise.all(ready), deadline]);
		if (startAtWindowOfMs) {
			const next = Math.ceil(Date.now() / startAtWindowOfMs) * startAtWindowOfMs + 10;
			await new Promise((resolve) => setTimeout(resolve, next - Date.now()));
		}
		for (const child of children) child.send(CHILD_GO);
		return await Promise.race([Promise.all(results), deadline]);
	} finally {
		clearTimeout(timer);
		for (const child of children) {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		}
	}
}

/** Follows a child: READY, then its result, then its exit (output kept for errors). */
function watch(
	child: ChildProcess,
	index: number,
): { ready: Promise<void>; result: Promise<ChildResult> } {
	let output = '';
	let result: ChildResult | undefined;
	let onReady = () => {};
	const ready = new Promise<void>((resolve) => (onReady = resolve));
	const keep = (chunk: Buffer) => {
		output = (output + chunk.toString('utf8')).slice(-8_000);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	child.on('message', (message) => {
		if (message === CHILD_READY) onReady();
		else result = message as ChildResult;
	});
	const done = new Promise<ChildResult>((resolve, reject) => {
		child.on('close', (code) => {
			if (result && code === 0) resolve(result);
			else reject(new Error(`process ${index} ended (${code}) without a result:\n${output}`));
		});
	});
	// A process that dies before READY fails the run instead of hanging it.
	return { ready: Promise.race([ready, done.then(() => undefined)]), result: done };
}
