/**
 * Run by soak.test.ts in a child process started with --expose-gc: rounds of faulted joins
 * against the emulator, printing the heap in use after a full collection at the end of each round.
 */
import { closeDispatchers } from '../../nodes/RyzeApi/transport/pools';
import { runOperation } from '../../nodes/RyzeApi/runner/runOperation';
import { useClock } from '../../nodes/RyzeApi/shared/clock';
import { ACCOUNT_TOKEN, MAIN_INSTANCE, RyzeApiEmulator } from './emulator/server';
import { fastClock } from './fastClock';
import { feedOf, joinGroup } from './operations';

async function main(): Promise<void> {
	const [rounds, joinsPerRound] = process.argv.slice(2).map(Number);
	const gc = (globalThis as { gc?: () => void }).gc;
	if (!gc) throw new Error('run with --expose-gc');
	// Waits 500 times shorter (a 429's least wait of 1 s takes 2 ms), the emulator on the same time.
	const clock = fastClock(500);
	useClock(clock);
	const emulator = await new RyzeApiEmulator({
		now: clock.now,
		rateLimit: { limit: 1_000_000_000, windowMs: 60_000 },
		faultRate: 0.1,
		faultKinds: [
			'serverError',
			'badGatewayHtml',
			'emptyBody',
			'reset',
			'malformedJson',
			'truncatedJson',
			'oversizedBody',
			'throttled',
			'rateLimitedBare',
		],
	}).start();
	const heaps: number[] = [];
	for (let round = 0; round < rounds; round++) {
		await runOperation(
			joinGroup,
			feedOf(
				Array.from({ length: joinsPerRound }, (_, i) => ({
					connection: {
						origin: emulator.url,
						basePath: '',
						instance: MAIN_INSTANCE,
						token: ACCOUNT_TOKEN,
					},
					identifier: `OpenMemory${round}x${i}`,
				})),
			),
			{
				concurrency: 16,
				timeoutMs: 2_000,
				retry: { maxTries: 10, baseDelayMs: 500, maxDelayMs: 2_500, maxRetryWaitMs: 5_000_000 },
				minIntervalMs: 0,
			},
		);
		emulator.reset(); // the emulator's own request log is not the node's memory
		gc();
		heaps.push(process.memoryUsage().heapUsed);
	}
	await emulator.close();
	await closeDispatchers();
	console.log(JSON.stringify(heaps));
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
