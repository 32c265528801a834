/**
 * Many workers, one token: several OS processes, each running the node in n8n's engine (as n8n's
 * queue-mode workers do), against one emulator and one token limit. Each process knows only what
 * the rate-limit headers of its own answers say. Assertions are on counts, never on time.
 */
import { ACCOUNT_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import type { ChildResult } from '../support/sharedToken';
import { codesOf, runInProcesses } from '../support/sharedToken';
import { useEmulator } from '../support/useEmulator';

/** 40 per 2 s: a busy window each couple of seconds; whole seconds, as X-RateLimit-Reset is. */
const LIMIT = 40;
const WINDOW_MS = 2_000;
const emulator = useEmulator({ rateLimit: { limit: LIMIT, windowMs: WINDOW_MS }, latencyMs: 2 });

async function run(processes: number, itemsEach: number): Promise<ChildResult[]> {
	return await runInProcesses({
		processes,
		itemsEach,
		baseUrl: emulator.url,
		instanceName: MAIN_INSTANCE,
		token: ACCOUNT_TOKEN,
		options: {},
		compiled: false,
		timeoutMs: 90_000,
	});
}

describe('several processes share one token', () => {
	test.each([
		[2, 70],
		[4, 35],
	])(
		'%i processes × %i joins: every item out once, on Success; each code joined once; at most 5%% 429s',
		async (processes, itemsEach) => {
			const results = await run(processes, itemsEach);

			results.forEach((result, index) => {
				expect(result).toMatchObject({ status: 'success' });
				const [success, error] = result.outputs;
				// Every item on Success, in input order, none on Failed (rate_limited included).
				expect(error ?? []).toEqual([]);
				expect(success.map((item) => item.code)).toEqual(codesOf(index, itemsEach));
				expect(new Set(success.map((item) => item.status))).toEqual(new Set(['joined']));
			});

			const joins = emulator.joinRequests();
			const accepted = joins.filter((entry) => entry.status === 200);
			const rejected = joins.filter((entry) => entry.status === 429);
			// Each code was joined exactly once: no item lost, none sent twice.
			const all = results.flatMap((_, index) => codesOf(index, itemsEach));
			expect(accepted.map((entry) => entry.identifier).sort()).toEqual([...all].sort());
			expect(joins).toHaveLength(accepted.length + rejected.length);
			const windows = new Set(accepted.map((entry) => Math.floor(entry.at / WINDOW_MS)));
			// A 429 is a race lost at a window's end, or a late process's first request landing
			// in a window already spent: at most one per other process and window.
			expect(rejected.length).toBeLessThanOrEqual((processes - 1) * windows.size);
			// The benchmark's target is 2% over longer runs; the pacing before this one sent 8% (2
			// processes) to 36% (4) of its requests into 429s in the same setting, simulated.
			expect(rejected.length / joins.length).toBeLessThanOrEqual(0.05);
		},
		120_000,
	);
});
