/**
 * One run of `argv[2]` items of the benchmark's scale scenario, in a process of its own; prints
 * its time, its peak memory and the items lost as one JSON line.
 */
import '../../test/support/env';

import { startEmulator } from '../../test/support/emulator/server';
import { shutDownEngine } from '../../test/support/engine';
import { closeDispatchers, codes, itemsOut, runOurs, UNLIMITED } from './context';
import type { ScaleRun } from './scale';

async function main(count: number): Promise<void> {
	const emulator = await startEmulator(UNLIMITED);
	const { result, ms } = await runOurs(emulator, codes(count));
	const lost = count - itemsOut(result);
	await emulator.close();
	await closeDispatchers();
	shutDownEngine();
	const run: ScaleRun = { ms, peakRssMb: process.resourceUsage().maxRSS / 1024, lost };
	console.log(JSON.stringify(run));
}

main(Number(process.argv[2])).catch((error: unknown) => {
	console.error(error instanceof Error ? error.stack : error);
	process.exitCode = 1;
});
