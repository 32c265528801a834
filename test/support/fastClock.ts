import type { Clock } from '../../nodes/RyzeApi/shared/clock';
import { realClock } from '../../nodes/RyzeApi/shared/clock';

/**
 * A clock running `factor` times faster than the real one: every wait is `factor` times shorter,
 * and the time it reads moves on to match. A test gives the same clock's `now` to the emulator,
 * so its rate-limit windows and resets are read in the same time.
 */
export function fastClock(factor: number): Clock {
	const origin = Date.now();
	return {
		now: () => origin + (Date.now() - origin) * factor,
		random: () => Math.random(),
		sleep: async (ms, signal) => await realClock.sleep(ms / factor, signal),
	};
}
