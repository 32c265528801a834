/** Child processes for the harnesses: output kept (capped), a deadline, nothing inherited on stdin. */
import { spawn } from 'node:child_process';

export interface CommandResult {
	ok: boolean;
	stdout: string;
	/** Standard output and error interleaved, the last 64 KiB. */
	output: string;
	timedOut: boolean;
}

export interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	timeoutMs?: number;
	/** Run as this user and group (root only): servers such as PostgreSQL refuse to run as root. */
	uid?: number;
	gid?: number;
}

export function runCommand(
	command: string,
	args: string[],
	options: RunOptions = {},
): Promise<CommandResult> {
	return new Promise((resolve) => {
		const child = spawn(command, args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			uid: options.uid,
			gid: options.gid,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let output = '';
		let timedOut = false;
		const timer = options.timeoutMs
			? setTimeout(() => {
					timedOut = true;
					child.kill('SIGKILL');
				}, options.timeoutMs)
			: undefined;
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString('utf8');
			output = (output + chunk.toString('utf8')).slice(-64 * 1024);
		});
		child.stderr.on('data', (chunk: Buffer) => {
			output = (output + chunk.toString('utf8')).slice(-64 * 1024);
		});
		child.on('error', (error) => {
			clearTimeout(timer);
			resolve({ ok: false, stdout, output: `${output}\n${error.message}`, timedOut });
		});
		child.on('close', (code) => {
			clearTimeout(timer);
			resolve({ ok: code === 0 && !timedOut, stdout, output, timedOut });
		});
	});
}

/** Like runCommand, but a failure is an error carrying the command's output. */
export async function runOrThrow(
	command: string,
	args: string[],
	options: RunOptions = {},
): Promise<string> {
	const result = await runCommand(command, args, options);
	if (!result.ok) {
		const why = result.timedOut ? `no result within ${options.timeoutMs} ms` : 'it failed';
		throw new Error(`${command} ${args.join(' ')}: ${why}\n${result.output.slice(-4000)}`);
	}
	return result.stdout;
}

/** True when the process exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
