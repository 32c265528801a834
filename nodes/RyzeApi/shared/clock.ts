/**
 * The one seam for time and randomness: product code reads the time, waits and draws random
 * numbers only through `clock()`. n8n runs the nodes on the real clock; a test sets its own with
 * `useClock` (a faster one, or one that only moves when told).
 */
export interface Clock {
	now(): number;
	/** Resolves after `ms`, or at once when `signal` aborts (it never rejects); leaves no timer behind. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
	/** Uniform in [0, 1). */
	random(): number;
}

const realClock: Clock = {
	now: () => Date.now(),
	random: () => Math.random(),
	sleep: async (ms, signal) =>
		await new Promise<void>((resolve) => {
			if (signal?.aborted) return resolve();
			const done = () => {
				clearTimeout(timer);
				signal?.removeEventListener('abort', done);
				resolve();
			};
			const timer = setTimeout(done, timerMs(ms));
			signal?.addEventListener('abort', done, { once: true });
		}),
};

let current: Clock = realClock;

/** The clock in use: the real one unless a test set another. */
export function clock(): Clock {
	return current;
}

/** Tests only: runs everything on `testClock` from now on; without one, on the real clock again. */
export function useClock(testClock?: Clock): void {
	current = testClock ?? realClock;
}

/** Node fires a timer of more than 2^31−1 ms after 1 ms: a longer wait is cut there (about 24 days). */
export function timerMs(ms: number): number {
	return Math.min(Math.max(0, ms), 2 ** 31 - 1);
}
