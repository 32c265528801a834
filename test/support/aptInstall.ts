/**
 * Debian's packages for the suites that need a real program (PostgreSQL, Redis, Chromium):
 * installed with apt-get when this is root, or why not, in a sentence for a one-line skip.
 */
import { spawnSync } from 'node:child_process';

import { runCommand } from './processes';

/** A command's absolute path when it is on PATH. */
export function onPath(command: string): string | undefined {
	const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
	const path = found.stdout.trim();
	return found.status === 0 && path.startsWith('/') ? path : undefined;
}

/** Installs Debian packages with apt-get, non-interactively, keeping existing configuration files. */
export async function aptInstall(
	packages: string[],
): Promise<{ ok: true } | { ok: false; reason: string }> {
	const what = packages.join(' ');
	if (process.getuid?.() !== 0)
		return { ok: false, reason: `${what} is not installed (not root, so not installing it)` };
	if (!onPath('apt-get'))
		return { ok: false, reason: `${what} is not installed and there is no apt-get` };
	const installed = await runCommand(
		'apt-get',
		[
			'install',
			'-y',
			'--no-install-recommends',
			'-o',
			'Dpkg::Options::=--force-confold',
			...packages,
		],
		{
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', UCF_FORCE_CONFFOLD: '1' },
			timeoutMs: 15 * 60_000,
		},
	);
	if (!installed.ok) {
		const last = installed.output.trim().split('\n').slice(-1)[0] ?? '';
		return { ok: false, reason: `apt-get install ${what} failed (${last.slice(0, 200)})` };
	}
	return { ok: true };
}
