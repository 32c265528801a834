import { closeDispatchers } from '../../nodes/RyzeApi/transport/pools';
import type { EmulatorOptions } from './emulator/server';
import { RyzeApiEmulator } from './emulator/server';

/**
 * An emulator for the tests of one file: reset and listening on a new port before each test (the
 * node keeps a token's rate budget per base URL for the whole process, as it does in n8n: a new
 * port is a new base URL, so no test inherits another's budget), closed after them together with
 * the node's connection pools, so nothing outlives the file.
 */
export function useEmulator(options: EmulatorOptions = {}): RyzeApiEmulator {
	const emulator = new RyzeApiEmulator(options);
	beforeEach(async () => {
		emulator.reset();
		await emulator.close();
		await emulator.start();
	});
	afterAll(async () => {
		await emulator.close();
		await closeDispatchers();
	});
	return emulator;
}
