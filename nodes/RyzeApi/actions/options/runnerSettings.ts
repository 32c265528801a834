import type { INodeProperties } from 'n8n-workflow';

import type { RunnerSettings } from '../../runner/runOperation';
import type { Checked } from '../../shared/interfaces';
import { refuse } from '../../shared/interfaces';
import { isVersion1, shownAtVersion } from '../nodeVersion';
import type { RunOptionName } from './runOptions';
import { MAX_BACKOFF_MS, MIN_TIMEOUT_MS, runOptionProperties } from './runOptions';

export type RunOptions = Partial<Record<RunOptionName, unknown>>;

/** Every run option's default, read off the panel's description: the one place they are written. */
const DEFAULTS = Object.fromEntries(
	runOptionProperties.map((property) => [property.name, property.default]),
) as Record<RunOptionName, unknown>;

type RunnerContext = Pick<RunnerSettings, 'cancelSignal' | 'log'>;

/** The numbers the runner's settings are made of, as each version reads them from its options. */
interface RunNumbers {
	concurrency: number;
	timeoutMs: number;
	maxTries: number;
	retryWaitMs: number;
	maxRetryWaitMs: number;
	maxPerMinute: number;
	minDelayMs: number;
	maxDelayMs: number;
}

/**
 * The one place the node's options become the runner's settings (in ms), per version: version 1
 * corrects what it cannot use (version1Numbers), from 1.1 it is refused with a message
 * (currentNumbers). `entries` are the operation's Options (their defaults: Join's delays differ
 * from 1.2). Pure, apart from what is passed in.
 */
export function runnerSettings(
	options: RunOptions,
	typeVersion: unknown,
	context: RunnerContext = {},
	entries: readonly INodeProperties[] = runOptionProperties,
): Checked<RunnerSettings> {
	const numbers = isVersion1(typeVersion)
		? { ok: true as const, value: version1Numbers(options) }
		: currentNumbers(options, entries, typeVersion);
	if (!numbers.ok) return numbers;
	const read = numbers.value;
	return {
		ok: true,
		value: {
			concurrency: Math.floor(read.concurrency),
			timeoutMs: read.timeoutMs,
			retry: {
				maxTries: Math.floor(read.maxTries),
				baseDelayMs: read.retryWaitMs,
				maxDelayMs: MAX_BACKOFF_MS,
				maxRetryWaitMs: read.maxRetryWaitMs,
			},
			minIntervalMs: read.maxPerMinute > 0 ? 60_000 / read.maxPerMinute : 0,
			humanDelayMs: { min: read.minDelayMs, max: read.maxDelayMs },
			...context,
		},
	};
}

/**
 * Version 1, as published: a missing or unreadable value takes its default, a value below its
 * minimum is raised to it (a Timeout under 1000 ms becomes 1000), and a Min Delay above Max Delay
 * is swapped where the pause is drawn (runner/startGate.ts, humanDelay).
 */
function version1Numbers(options: RunOptions): RunNumbers {
	const number = (key: RunOptionName, min: number) => {
		const parsed = Number(options[key] ?? DEFAULTS[key]);
		return Number.isFinite(parsed) ? Math.max(min, parsed) : Math.max(min, Number(DEFAULTS[key]));
	};
	return {
		concurrency: number('concurrency', 1),
		timeoutMs: number('timeout', MIN_TIMEOUT_MS),
		maxTries: number('maxTries', 1),
		retryWaitMs: number('retryWait', 0),
		maxRetryWaitMs: number('maxRetryWait', 0) * 1000,
		maxPerMinute: number('maxRequestsPerMinute', 0),
		minDelayMs: number('minDelay', 0) * 1000,
		maxDelayMs: number('maxDelay', 0) * 1000,
	};
}

/** The numbers read from version 1.1 on, each checked against the bounds its panel entry shows. */
const CURRENT_NUMBERS = [
	'minDelaySeconds',
	'maxDelaySeconds',
	'maxRequestsPerMinute',
	'concurrency',
	'triesPerRequest',
	'retryWaitSeconds',
	'maxRetryWaitSeconds',
	'timeoutSeconds',
] as const;

type CurrentNumber = (typeof CURRENT_NUMBERS)[number];

/**
 * From version 1.1: every duration in seconds; a value the panel would not take (set by an
 * expression: not a number, below its minimum, above its maximum) and a Min Delay above Max Delay
 * are refused with a message naming them, before any request, instead of being changed silently.
 */
function currentNumbers(
	options: RunOptions,
	entries: readonly INodeProperties[],
	typeVersion: unknown,
): Checked<RunNumbers> {
	const values = {} as Record<CurrentNumber, number>;
	for (const name of CURRENT_NUMBERS) {
		const read = boundedNumber(entryAt(entries, name, typeVersion), options[name]);
		if (!read.ok) return read;
		values[name] = read.value;
	}
	const { minDelaySeconds: minDelay, maxDelaySeconds: maxDelay } = values;
	if (minDelay > maxDelay) {
		return refuse(
			`Min Delay (${minDelay} s) is more than Max Delay (${maxDelay} s) in the node's Options: set Min Delay to at most Max Delay, or raise Max Delay.`,
		);
	}
	return {
		ok: true,
		value: {
			concurrency: values.concurrency,
			timeoutMs: values.timeoutSeconds * 1000,
			maxTries: values.triesPerRequest,
			retryWaitMs: values.retryWaitSeconds * 1000,
			maxRetryWaitMs: values.maxRetryWaitSeconds * 1000,
			maxPerMinute: values.maxRequestsPerMinute,
			minDelayMs: minDelay * 1000,
			maxDelayMs: maxDelay * 1000,
		},
	};
}

/** An option's value (its default when unset), or why it cannot be used, in the panel's words. */
export function boundedNumber(property: INodeProperties, raw: unknown): Checked<number> {
	if (raw === undefined || raw === null) return { ok: true, value: Number(property.default) };
	const value = typeof raw === 'string' && raw.trim() === '' ? NaN : Number(raw);
	const min = Number(property.typeOptions?.minValue ?? -Infinity);
	const max = Number(property.typeOptions?.maxValue ?? Infinity);
	const allowed = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
	if (!Number.isFinite(value) || value < min || value > max) {
		return refuse(
			`${property.displayName} in the node's Options must be a number ${allowed}; it is ${JSON.stringify(raw)}.`,
		);
	}
	return { ok: true, value };
}

/** The operation's entry of that name shown at this version: whose default and bounds apply. */
function entryAt(
	entries: readonly INodeProperties[],
	name: string,
	typeVersion: unknown,
): INodeProperties {
	const version = typeof typeVersion === 'number' ? typeVersion : Infinity;
	return entries.find(
		(entry) => entry.name === name && shownAtVersion(entry, version),
	) as INodeProperties;
}
