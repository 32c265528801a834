import type { Clock } from '../../nodes/RyzeApi/shared/clock';

/** 2026-01-01T00:00:00Z: a whole second, far from 0, like Date.now(). */
const START_MS = 1_767_225_600_000;

export interface ManualClock extends Clock {
	/** Moves the time on by `ms`. */
	advance(ms: number): void;
}

/**
 * A clock that moves only when told (`advance`, or a `sleep`, which passes its time at once), for
 * the product's memories that read the time through `clock()`: a test sets it with `useClock`
 * and goes back to the real one with `useClock()`. Random always says one half.
 */
export function manualClock(startMs = START_MS): ManualClock {
	let nowMs = startMs;
	return {
		now: () => nowMs,
		random: () => 0.5,
		advance: (ms) => {
			nowMs += ms;
		},
		sleep: async (ms, signal) => {
			if (!signal?.aborted) nowMs += Math.max(0, ms);
			await Promise.resolve();
		},
	};
}
