/**
 * What the suite runners (`npm run test:e2e`, `test:ui`, `test:queue`, `test:compat`) share: once
 * they have prepared what their suite needs, jest runs it with its own config and environment.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** Runs jest with a config file of the repository's root; its exit status (1 when it had none). */
export function runJest(config: string, args: string[], env: NodeJS.ProcessEnv): number {
	const jest = spawnSync(
		process.execPath,
		[require.resolve('jest/bin/jest'), '--config', resolve(__dirname, '..', '..', config), ...args],
		{ stdio: 'inherit', env: { ...process.env, ...env } },
	);
	return jest.status ?? 1;
}

/** Runs a runner's main and exits with its code; an unexpected error exits 1 with its stack. */
export function exitWith(main: () => Promise<number>): void {
	main().then(
		(code) => process.exit(code),
		(error: unknown) => {
			console.error(error instanceof Error ? (error.stack ?? error.message) : error);
			process.exit(1);
		},
	);
}
