import { closeDispatchers } from '../../nodes/RyzeApi/transport';
import { resetLimiters } from '../../nodes/RyzeApi/runner/tokenLimiter';
import type { EmulatorOptions } from './emulator/server';
import { RyzeApiEmulator } from './emulator/server';

/**
 * An emulator for the tests of one file: started before them, reset before each (its options,
 * log, faults, windows, and the node's process-wide rate limiters), closed after them together
 * with the node's connection pools, so nothing outlives the file.
 */
export function useEmulator(options: EmulatorOptions = {}): RyzeApiEmulator {
	const emulator = new RyzeApiEmulator(options);
	beforeAll(async () => {
		await emulator.start();
	});
	beforeEach(() => {
		emulator.reset();
		resetLimiters();
	});
	afterAll(async () => {
		await emulator.close();
		await closeDispatchers();
	});
	return emulator;
}
