import type { Clock } from '../../nodes/RyzeApi/shared/clock';
import { timerMs } from '../../nodes/RyzeApi/shared/clock';

/**
 * A clock running `factor` times faster than the real one: every wait is `factor` times shorter,
 * and the time it reads moves on to match. A test runs the product on it with `useClock` (and
 * `useClock()` after), and gives the same clock's `now` to the emulator, so its rate-limit
 * windows and resets are read in the same time.
 */
export function fastClock(factor: number): Clock {
	const origin = Date.now();
	return {
		now: () => origin + (Date.now() - origin) * factor,
		random: () => Math.random(),
		// Its own timers: the product's clock() may be this very clock.
		sleep: async (ms, signal) =>
			await new Promise<void>((resolve) => {
				if (signal?.aborted) return resolve();
				const done = () => {
					clearTimeout(timer);
					signal?.removeEventListener('abort', done);
					resolve();
				};
				const timer = setTimeout(done, timerMs(ms / factor));
				signal?.addEventListener('abort', done, { once: true });
			}),
	};
}
