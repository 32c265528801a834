/**
 * runnerSettings: the node's options become the runner's settings (in ms), per version, with one
 * source of defaults (the node's description); and which options each version shows, as n8n's own
 * display rules decide.
 */
import type { INodeParameters, INodeProperties } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import {
	MAX_BACKOFF_MS,
	runOptionProperties,
} from '../../nodes/RyzeApi/actions/options/runOptions';
import type { RunOptions } from '../../nodes/RyzeApi/actions/options/runnerSettings';
import { runnerSettings } from '../../nodes/RyzeApi/actions/options/runnerSettings';
import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import type { GateSettings } from '../../nodes/RyzeApi/runner/startGate';
import { StartGate } from '../../nodes/RyzeApi/runner/startGate';
import { useClock } from '../../nodes/RyzeApi/shared/clock';
import { manualClock } from '../support/manualClock';
import { CURRENT_VERSION_OPTION_NAMES } from '../support/runOptionNames';

/** Each group operation's Options collection, as the node's description shows it. */
const OPTIONS_BY_OPERATION = new RyzeApi().description.properties
	.filter(
		(property) =>
			property.name === 'options' &&
			property.type === 'collection' &&
			String(property.displayOptions?.show?.resource) === 'group',
	)
	.map((property) => ({
		operation: String(property.displayOptions?.show?.operation),
		entries: (property.options ?? []) as INodeProperties[],
	}));

/** An option's default as Join Group's Options show it (version 1's entries have names of their own). */
function defaultOf(name: keyof RunOptions): unknown {
	const join = OPTIONS_BY_OPERATION.find(({ operation }) => operation === 'join');
	const entry = join?.entries.find((property) => property.name === name);
	if (!entry) throw new Error(`Join Group has no option ${name}`);
	return entry.default;
}

afterEach(() => useClock());

/** The pause a run with these settings puts between two starts, its random drawn as `random`. */
async function pauseBetweenStarts(settings: GateSettings, random: number): Promise<number> {
	const clock = { ...manualClock(), random: () => random };
	useClock(clock);
	const gate = new StartGate(settings);
	const connection = { origin: 'http://127.0.0.1:1', basePath: '', instance: 'main', token: 't' };
	const first = gate.ticket(connection);
	expect(await gate.waitForTurn(first)).toBeUndefined();
	const answer = {
		kind: 'http',
		status: 200,
		headers: {},
		body: '{}',
		bodyTooLarge: false,
	} as const;
	gate.settle(first, answer, { ok: true, value: {} });
	const next = gate.decide(gate.ticket(connection), clock.now());
	return 'waitMs' in next && next.waitMs !== undefined ? next.waitMs : 0;
}

/** The settings, or the test fails with the refusal's message. */
function settingsOf(options: Record<string, unknown>, version: number) {
	const checked = runnerSettings(options, version);
	if (!checked.ok) throw new Error(`refused: ${checked.message}`);
	return checked.value;
}

function refusalOf(options: Record<string, unknown>, version = 1.1): string {
	const checked = runnerSettings(options, version);
	if (checked.ok) throw new Error('not refused');
	return checked.message;
}

/** Join Group's Add option list for a node of this version, in order, as n8n decides what it shows. */
function shownOptions(version: number): string[] {
	const nodeValues: INodeParameters = { resource: 'group', operation: 'join', options: {} };
	const join = OPTIONS_BY_OPERATION.find(({ operation }) => operation === 'join');
	return (join?.entries ?? [])
		.filter((property: INodeProperties) =>
			NodeHelpers.displayParameter(nodeValues, property, { typeVersion: version }, null),
		)
		.map((property) => property.displayName);
}

test('the Options of Join, Preview and Leave offer each run option with its default', () => {
	const operations = ['join', 'leave', 'preview'];
	const running = OPTIONS_BY_OPERATION.filter(({ operation }) => operations.includes(operation));
	expect(running.map(({ operation }) => operation).sort()).toEqual(operations);
	for (const { operation, entries } of running) {
		for (const property of runOptionProperties) {
			const offered = entries.filter((entry) => entry.name === property.name);
			expect([operation, property.name, offered.map((entry) => entry.default)]).toEqual([
				operation,
				property.name,
				expect.arrayContaining([property.default]),
			]);
		}
	}
});

describe('version 1.2: Join Group keeps the number safe', () => {
	test("Join's options: its budget and pauses after the delays, then how fast and how it retries", () => {
		expect(shownOptions(1.2)).toEqual(CURRENT_VERSION_OPTION_NAMES);
	});

	test("unset, Join's delays are 30 to 60 s from 1.2 (1.1's stay 0); Preview and Leave keep 0", () => {
		const entriesOf = (name: string) =>
			OPTIONS_BY_OPERATION.find(({ operation }) => operation === name)?.entries ?? [];
		const delays = (operation: string, version: number) => {
			const checked = runnerSettings({}, version, {}, entriesOf(operation));
			if (!checked.ok) throw new Error(checked.message);
			return checked.value.humanDelayMs;
		};
		expect(delays('join', 1.2)).toEqual({ min: 30_000, max: 60_000 });
		expect(delays('join', 1.1)).toEqual({ min: 0, max: 0 });
		expect(delays('preview', 1.2)).toEqual({ min: 0, max: 0 });
		expect(delays('leave', 1.2)).toEqual({ min: 0, max: 0 });
	});
});

describe('version 1, as published', () => {
	test('shows the options it had, in their order and units', () => {
		expect(shownOptions(1)).toEqual([
			// Version 1 keeps Pending Approval Output among Join's Options.
			'Pending Approval Output',
			'Instance Name',
			'Min Delay (Seconds)',
			'Max Delay (Seconds)',
			'Max Requests Per Minute',
			'Requests in Flight',
			'Max Tries',
			'Retry Wait (Milliseconds)',
			'Max Retry Wait (Seconds)',
			'Timeout (Milliseconds)',
		]);
	});

	test('no options: every default, as the description shows it', () => {
		expect(settingsOf({}, 1)).toEqual({
			concurrency: defaultOf('concurrency'),
			timeoutMs: defaultOf('timeout'),
			retry: {
				maxTries: defaultOf('maxTries'),
				baseDelayMs: defaultOf('retryWait'),
				maxDelayMs: MAX_BACKOFF_MS,
				maxRetryWaitMs: Number(defaultOf('maxRetryWait')) * 1000,
			},
			minIntervalMs: 0,
			humanDelayMs: { min: 0, max: 0 },
		});
	});

	test('values are read, unreadable ones take the default and low ones the minimum', () => {
		expect(
			settingsOf(
				{
					concurrency: '3.7',
					timeout: 10,
					maxTries: 'many',
					retryWait: -5,
					maxRetryWait: 2,
					maxRequestsPerMinute: 30,
					minDelay: 1,
					maxDelay: 4,
				},
				1,
			),
		).toMatchObject({
			concurrency: 3,
			timeoutMs: 1_000,
			retry: { maxTries: defaultOf('maxTries'), baseDelayMs: 0, maxRetryWaitMs: 2_000 },
			minIntervalMs: 2_000,
			humanDelayMs: { min: 1_000, max: 4_000 },
		});
	});

	test('Min Delay above Max Delay still runs, the pause drawn between them (swapped)', async () => {
		const settings = settingsOf({ minDelay: 4, maxDelay: 1 }, 1);
		expect(settings.humanDelayMs).toEqual({ min: 4_000, max: 1_000 });
		for (const random of [0, 0.5, 0.999]) {
			const pause = await pauseBetweenStarts(settings, random);
			expect(pause).toBeGreaterThanOrEqual(1_000);
			expect(pause).toBeLessThanOrEqual(4_000);
		}
	});

	test("ignores version 1.1's options", () => {
		expect(settingsOf({ timeoutSeconds: 5, triesPerRequest: 1 }, 1)).toMatchObject({
			timeoutMs: 30_000,
			retry: { maxTries: 5 },
		});
	});
});

/** Version 1.1's Options of Join Group, as they were published. */
const VERSION_1_1_OPTION_NAMES = [
	'Instance Name',
	'Min Delay (Seconds)',
	'Max Delay (Seconds)',
	'Max Requests Per Minute',
	'Requests in Flight',
	'Tries Per Request',
	'Request Retry Wait (Seconds)',
	'Max Retry Wait per Item (Seconds)',
	'Request Timeout (Seconds)',
];

describe('version 1.1: every duration in seconds, the retries per request', () => {
	test('shows the options in the same places, each duration in seconds', () => {
		expect(shownOptions(1.1)).toEqual(VERSION_1_1_OPTION_NAMES);
	});

	test("every duration's name says seconds, and none is named like n8n's Retry On Fail settings", () => {
		const shown = runOptionProperties.filter((property) =>
			NodeHelpers.displayParameter({}, property, { typeVersion: 1.1 }, null),
		);
		for (const property of shown.filter((entry) => /Delay|Wait|Timeout/.test(entry.displayName))) {
			expect([property.name, property.displayName]).toEqual([
				expect.stringMatching(/Seconds$/),
				expect.stringMatching(/\(Seconds\)$/),
			]);
			expect(property.typeOptions?.minValue).toEqual(expect.any(Number));
			expect(property.typeOptions?.maxValue).toEqual(expect.any(Number));
		}
		for (const property of shown) {
			expect(property.displayName).not.toMatch(/^(Max\.? Tries|Wait Between Tries)$/i);
		}
	});

	test("the retry options say how they differ from n8n's Retry On Fail, and that a refused token is not sent again", () => {
		const byName = (name: string) =>
			runOptionProperties.find((property) => property.name === name)?.description ?? '';
		for (const name of ['triesPerRequest', 'retryWaitSeconds']) {
			expect(byName(name)).toMatch(/Retry On Fail/);
			expect(byName(name)).toMatch(/every item/);
			expect(byName(name)).toMatch(/refused token/);
			expect(byName(name)).toMatch(/leave that off/);
		}
	});

	test('no options: the same defaults as version 1, in ms', () => {
		expect(settingsOf({}, 1.1)).toEqual(settingsOf({}, 1));
	});

	test('seconds become ms, fractions included', () => {
		expect(
			settingsOf(
				{
					minDelaySeconds: 1.5,
					maxDelaySeconds: 4,
					triesPerRequest: 2,
					retryWaitSeconds: 0.25,
					maxRetryWaitSeconds: 12.5,
					timeoutSeconds: 2.5,
					concurrency: 3,
					maxRequestsPerMinute: 30,
				},
				1.1,
			),
		).toEqual({
			concurrency: 3,
			timeoutMs: 2_500,
			retry: { maxTries: 2, baseDelayMs: 250, maxDelayMs: MAX_BACKOFF_MS, maxRetryWaitMs: 12_500 },
			minIntervalMs: 2_000,
			humanDelayMs: { min: 1_500, max: 4_000 },
		});
	});

	test('Min Delay above Max Delay is refused, naming both values', () => {
		expect(refusalOf({ minDelaySeconds: 5, maxDelaySeconds: 2 })).toBe(
			"Min Delay (5 s) is more than Max Delay (2 s) in the node's Options: set Min Delay to at most Max Delay, or raise Max Delay.",
		);
		// Max Delay left at its default (0) is below any Min Delay.
		expect(refusalOf({ minDelaySeconds: 0.5 })).toMatch(
			/^Min Delay \(0\.5 s\) is more than Max Delay \(0 s\)/,
		);
		expect(settingsOf({ minDelaySeconds: 2, maxDelaySeconds: 2 }, 1.1).humanDelayMs).toEqual({
			min: 2_000,
			max: 2_000,
		});
	});

	test.each([
		[{ timeoutSeconds: 0.5 }, 'Request Timeout (Seconds)', 'from 1 to 600', '0.5'],
		[{ timeoutSeconds: 601 }, 'Request Timeout (Seconds)', 'from 1 to 600', '601'],
		[{ triesPerRequest: 0 }, 'Tries Per Request', 'from 1 to 10', '0'],
		[{ triesPerRequest: 'many' }, 'Tries Per Request', 'from 1 to 10', '"many"'],
		[{ retryWaitSeconds: -1 }, 'Request Retry Wait (Seconds)', 'from 0 to 60', '-1'],
		[{ maxRetryWaitSeconds: '' }, 'Max Retry Wait per Item (Seconds)', 'from 0 to 3600', '""'],
		[{ concurrency: 51 }, 'Requests in Flight', 'from 1 to 50', '51'],
		[{ maxRequestsPerMinute: -1 }, 'Max Requests Per Minute', 'at least 0', '-1'],
	])('%j is refused, not changed silently', (options, name, range, value) => {
		expect(refusalOf(options)).toBe(
			`${name} in the node's Options must be a number ${range}; it is ${value}.`,
		);
	});

	test('a value set by an expression as text is read', () => {
		expect(settingsOf({ timeoutSeconds: '2', retryWaitSeconds: '0.5' }, 1.1)).toMatchObject({
			timeoutMs: 2_000,
			retry: { baseDelayMs: 500 },
		});
	});

	test("ignores version 1's options", () => {
		expect(settingsOf({ timeout: 5, maxTries: 1, retryWait: 7 }, 1.1)).toEqual(settingsOf({}, 1.1));
	});
});

test('the cancel signal and the log are passed through, in both versions', () => {
	const controller = new AbortController();
	const log = () => {};
	for (const version of [1, 1.1]) {
		expect(runnerSettings({}, version, { cancelSignal: controller.signal, log })).toMatchObject({
			ok: true,
			value: { cancelSignal: controller.signal, log },
		});
	}
});
