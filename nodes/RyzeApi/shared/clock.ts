/**
 * The one seam for time and randomness: the runner and its gate read the time, wait and draw
 * random numbers only through a Clock. n8n runs the node on the real one; tests pass their own.
 */
export interface Clock {
	now(): number;
	/** Resolves after `ms`, or at once when `signal` aborts (it never rejects); leaves no timer behind. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
	/** Uniform in [0, 1). */
	random(): number;
}

export const realClock: Clock = {
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

/** Node fires a timer of more than 2^31−1 ms after 1 ms: a longer wait is cut there (about 24 days). */
export function timerMs(ms: number): number {
	return Math.min(Math.max(0, ms), 2 ** 31 - 1);
}
