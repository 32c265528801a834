/** runnerSettings: the node's options become the runner's settings, with one source of defaults. */
import {
	MAX_BACKOFF_MS,
	RUN_OPTION_DEFAULTS,
	runOptionProperties,
	runnerSettings,
} from '../../nodes/RyzeApi/actions/group/runOptions';

describe('runnerSettings', () => {
	test('no options: every default, as the description shows it', () => {
		expect(runnerSettings({})).toEqual({
			concurrency: RUN_OPTION_DEFAULTS.concurrency,
			timeoutMs: RUN_OPTION_DEFAULTS.timeout,
			retry: {
				maxTries: RUN_OPTION_DEFAULTS.maxTries,
				baseDelayMs: RUN_OPTION_DEFAULTS.retryWait,
				maxDelayMs: MAX_BACKOFF_MS,
			},
			maxRetryWaitMs: Number(RUN_OPTION_DEFAULTS.maxRetryWait) * 1000,
			minIntervalMs: 0,
			humanDelayMs: { min: 0, max: 0 },
		});
	});

	test('the defaults are the description defaults', () => {
		for (const property of runOptionProperties) {
			expect(RUN_OPTION_DEFAULTS[property.name as keyof typeof RUN_OPTION_DEFAULTS]).toBe(
				property.default,
			);
		}
	});

	test('values are read, unreadable ones take the default and low ones the minimum', () => {
		const settings = runnerSettings({
			concurrency: '3.7',
			timeout: 10,
			maxTries: 'many',
			retryWait: -5,
			maxRetryWait: 2,
			maxRequestsPerMinute: 30,
			minDelay: 1,
			maxDelay: 4,
		});
		expect(settings).toMatchObject({
			concurrency: 3,
			timeoutMs: 1_000,
			retry: { maxTries: RUN_OPTION_DEFAULTS.maxTries, baseDelayMs: 0 },
			maxRetryWaitMs: 2_000,
			minIntervalMs: 2_000,
			humanDelayMs: { min: 1_000, max: 4_000 },
		});
	});

	test('the cancel signal and the log are passed through', () => {
		const controller = new AbortController();
		const log = () => {};
		expect(runnerSettings({}, { cancelSignal: controller.signal, log })).toMatchObject({
			cancelSignal: controller.signal,
			log,
		});
	});
});
