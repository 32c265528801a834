import type { INodeProperties } from 'n8n-workflow';

import type { Checked } from '../../shared/interfaces';
import { refuse } from '../../shared/interfaces';
import { isVersion1, SHOWN_FROM_CURRENT_VERSION } from '../nodeVersion';
import type { RunnerSettings } from '../../runner/runOperation';

/** The exponential backoff between tries stops growing here, whatever the options say. */
export const MAX_BACKOFF_MS = 60_000;
export const MIN_TIMEOUT_MS = 1_000;

/**
 * From this version every duration option is in seconds (its name ends in "Seconds"), the retry
 * options are named per request, and a value outside the bounds the panel shows is refused.
 * Version 1 keeps its names, units and silent corrections.
 */

const version1 = { show: { '@version': [1] } };
const fromSecondsVersion = { show: SHOWN_FROM_CURRENT_VERSION };

/** n8n's own retry (Settings → Retry On Fail), in the words each retry option uses to tell them apart. */
const NOT_RETRY_ON_FAIL =
	"This is not n8n's Retry On Fail (in the node's Settings), which runs the whole node again for every item (never sending a refused token again): leave that off, this node already retries what is safe, per request.";

/** Version 1's duration and retry options: names, units and wording as they were published. */
const version1Options: Record<string, INodeProperties> = {
	minDelay: {
		displayName: 'Min Delay (Seconds)',
		name: 'minDelay',
		type: 'number',
		typeOptions: { minValue: 0 },
		displayOptions: version1,
		default: 0,
		description: 'Lower bound of the random pause between requests',
	},
	maxDelay: {
		displayName: 'Max Delay (Seconds)',
		name: 'maxDelay',
		type: 'number',
		typeOptions: { minValue: 0 },
		displayOptions: version1,
		default: 0,
		description:
			'Upper bound of a random pause between requests. WhatsApp may restrict numbers that join many groups quickly; a pause of a few seconds to a minute looks like a person.',
	},
	maxTries: {
		displayName: 'Max Tries',
		name: 'maxTries',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10 },
		displayOptions: version1,
		default: 5,
		description:
			'Tries per item, the first included. Only 429, 5xx, network errors, timeouts and unreadable answers are tried again; other errors never are.',
	},
	retryWait: {
		displayName: 'Retry Wait (Milliseconds)',
		name: 'retryWait',
		type: 'number',
		typeOptions: { minValue: 0 },
		displayOptions: version1,
		default: 1000,
		description: `Base of the exponential backoff between tries (with random jitter, at most ${MAX_BACKOFF_MS / 1000} s). A 429 waits instead for Retry-After or the rate-limit reset.`,
	},
	maxRetryWait: {
		displayName: 'Max Retry Wait (Seconds)',
		name: 'maxRetryWait',
		type: 'number',
		typeOptions: { minValue: 0 },
		displayOptions: version1,
		default: 300,
		description:
			'Most time one item may spend waiting between its tries; after that it goes to Failed with its reason',
	},
	timeout: {
		displayName: 'Timeout (Milliseconds)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: MIN_TIMEOUT_MS },
		displayOptions: version1,
		default: 30000,
		description:
			'Time in ms to wait for each answer from RyzeAPI before the item goes to Failed with reason timeout',
	},
};

/** Version 1.1's duration and retry options: every duration in seconds, the retries per request. */
const secondsOptions: Record<string, INodeProperties> = {
	minDelaySeconds: {
		displayName: 'Min Delay (Seconds)',
		name: 'minDelaySeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 3600, numberPrecision: 1 },
		displayOptions: fromSecondsVersion,
		default: 0,
		description:
			'Lower bound of the random pause between requests. Must not be more than Max Delay.',
	},
	maxDelaySeconds: {
		displayName: 'Max Delay (Seconds)',
		name: 'maxDelaySeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 3600, numberPrecision: 1 },
		displayOptions: fromSecondsVersion,
		default: 0,
		description:
			'Upper bound of a random pause between requests. WhatsApp may restrict numbers that join many groups quickly; a pause of a few seconds to a minute looks like a person.',
	},
	triesPerRequest: {
		displayName: 'Tries Per Request',
		name: 'triesPerRequest',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10, numberPrecision: 0 },
		displayOptions: fromSecondsVersion,
		default: 5,
		description: `How many times one request is sent, the first included, before its item goes to Failed. Only 429, 5xx, network errors, timeouts and unreadable answers are sent again; a refused token never is. ${NOT_RETRY_ON_FAIL}`,
	},
	retryWaitSeconds: {
		displayName: 'Request Retry Wait (Seconds)',
		name: 'retryWaitSeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: MAX_BACKOFF_MS / 1000, numberPrecision: 2 },
		displayOptions: fromSecondsVersion,
		default: 1,
		description: `Wait before a request is sent again: at most this after the first try, doubling each time, with random jitter, never more than ${MAX_BACKOFF_MS / 1000} s. A 429 waits for Retry-After or the rate-limit reset instead. ${NOT_RETRY_ON_FAIL}`,
	},
	maxRetryWaitSeconds: {
		displayName: 'Max Retry Wait per Item (Seconds)',
		name: 'maxRetryWaitSeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 3600, numberPrecision: 1 },
		displayOptions: fromSecondsVersion,
		default: 300,
		description:
			'Most time one item may spend waiting between the tries of its request, in all; after that it goes to Failed with its reason',
	},
	timeoutSeconds: {
		displayName: 'Request Timeout (Seconds)',
		name: 'timeoutSeconds',
		type: 'number',
		typeOptions: { minValue: MIN_TIMEOUT_MS / 1000, maxValue: 600, numberPrecision: 1 },
		displayOptions: fromSecondsVersion,
		default: 30,
		description:
			'How long to wait for each answer from RyzeAPI; then the request counts as a timeout (sent again while tries remain)',
	},
};

/** The options both versions share, unchanged. */
const sharedOptions: Record<string, INodeProperties> = {
	instanceName: {
		displayName: 'Instance Name',
		name: 'instanceName',
		type: 'string',
		default: '',
		description:
			"Instance to use instead of the credential's. Useful with a TokenAccount, which can act on every instance of the account.",
	},
	maxRequestsPerMinute: {
		displayName: 'Max Requests Per Minute',
		name: 'maxRequestsPerMinute',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			"Cap below the provider's rate limit, to keep budget for other workflows using the same token. 0 uses all the provider allows.",
	},
	concurrency: {
		// The token's remaining budget caps what is really in flight: at the default 100 per minute this
		// never matters; with a raised limit, 16 keeps a 2,000-row sheet well ahead of n8n's HTTP Request node.
		displayName: 'Requests in Flight',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 50 },
		default: 16,
		description:
			"Most requests sent at the same time. Never more than the token's remaining rate-limit budget allows.",
	},
};

/**
 * The options every group operation shares, in the order a person decides them (not alphabetical,
 * see eslint.config.mjs): where it runs, how fast, how it retries. Each version shows its own
 * entries in the same places.
 */
export const runOptionProperties: INodeProperties[] = [
	sharedOptions.instanceName,
	version1Options.minDelay,
	version1Options.maxDelay,
	secondsOptions.minDelaySeconds,
	secondsOptions.maxDelaySeconds,
	sharedOptions.maxRequestsPerMinute,
	sharedOptions.concurrency,
	version1Options.maxTries,
	version1Options.retryWait,
	version1Options.maxRetryWait,
	version1Options.timeout,
	secondsOptions.triesPerRequest,
	secondsOptions.retryWaitSeconds,
	secondsOptions.maxRetryWaitSeconds,
	secondsOptions.timeoutSeconds,
];

/** An operation's Identifier: what it reads out of each item, described for that operation. */
export function identifierProperty(placeholder: string, description: string): INodeProperties {
	return {
		displayName: 'Identifier',
		name: 'identifier',
		type: 'string',
		default: '',
		required: true,
		placeholder,
		description,
	};
}

/** An operation's Options collection: its own options first, then those every operation shares. */
export function optionsCollection(own: INodeProperties[] = []): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option', // n8n 2.x's own wording
		default: {},
		options: [...own, ...runOptionProperties],
	};
}

type RunOptionName =
	keyof typeof sharedOptions | keyof typeof version1Options | keyof typeof secondsOptions;

export type RunOptions = Partial<Record<RunOptionName, unknown>>;

/** Every run option's default, read off the description above: the one place they are written. */
export const RUN_OPTION_DEFAULTS = Object.fromEntries(
	runOptionProperties.map((property) => [property.name, property.default]),
) as Record<RunOptionName, unknown>;

type RunnerContext = Pick<RunnerSettings, 'cancelSignal' | 'log'>;

/**
 * The one place the node's options become the runner's settings (in ms), per version: version 1
 * corrects what it cannot use (see version1Settings), from 1.1 it is refused with a message.
 * Pure, apart from what is passed in.
 */
export function runnerSettings(
	options: RunOptions,
	typeVersion: unknown,
	context: RunnerContext = {},
): Checked<RunnerSettings> {
	if (isVersion1(typeVersion)) {
		return { ok: true, value: version1Settings(options, context) };
	}
	return secondsSettings(options, context);
}

/**
 * Version 1, as published: a missing or unreadable value takes its default, a value below its
 * minimum is raised to it (a Timeout under 1000 ms becomes 1000), and a Min Delay above Max Delay
 * is swapped where the pause is drawn (runner/startGate.ts, humanDelay).
 */
function version1Settings(options: RunOptions, context: RunnerContext): RunnerSettings {
	const number = (key: RunOptionName, min: number) => {
		const parsed = Number(options[key] ?? RUN_OPTION_DEFAULTS[key]);
		return Number.isFinite(parsed)
			? Math.max(min, parsed)
			: Math.max(min, Number(RUN_OPTION_DEFAULTS[key]));
	};
	return settingsOf(
		{
			concurrency: number('concurrency', 1),
			timeoutMs: number('timeout', MIN_TIMEOUT_MS),
			maxTries: number('maxTries', 1),
			retryWaitMs: number('retryWait', 0),
			maxRetryWaitMs: number('maxRetryWait', 0) * 1000,
			maxPerMinute: number('maxRequestsPerMinute', 0),
			minDelayMs: number('minDelay', 0) * 1000,
			maxDelayMs: number('maxDelay', 0) * 1000,
		},
		context,
	);
}

/** The runner's settings from the numbers each version reads, in ms. */
function settingsOf(
	numbers: {
		concurrency: number;
		timeoutMs: number;
		maxTries: number;
		retryWaitMs: number;
		maxRetryWaitMs: number;
		maxPerMinute: number;
		minDelayMs: number;
		maxDelayMs: number;
	},
	context: RunnerContext,
): RunnerSettings {
	return {
		concurrency: Math.floor(numbers.concurrency),
		timeoutMs: numbers.timeoutMs,
		retry: {
			maxTries: Math.floor(numbers.maxTries),
			baseDelayMs: numbers.retryWaitMs,
			maxDelayMs: MAX_BACKOFF_MS,
		},
		maxRetryWaitMs: numbers.maxRetryWaitMs,
		minIntervalMs: numbers.maxPerMinute > 0 ? 60_000 / numbers.maxPerMinute : 0,
		humanDelayMs: { min: numbers.minDelayMs, max: numbers.maxDelayMs },
		...context,
	};
}

/** The numbers version 1.1 reads, each checked against the bounds its panel entry shows. */
const SECONDS_VERSION_NUMBERS = [
	'minDelaySeconds',
	'maxDelaySeconds',
	'maxRequestsPerMinute',
	'concurrency',
	'triesPerRequest',
	'retryWaitSeconds',
	'maxRetryWaitSeconds',
	'timeoutSeconds',
] as const;

type SecondsVersionNumber = (typeof SECONDS_VERSION_NUMBERS)[number];

/**
 * Version 1.1: every duration in seconds; a value the panel would not take (set by an expression:
 * not a number, below its minimum, above its maximum) and a Min Delay above Max Delay are refused
 * with a message naming them, before any request, instead of being changed silently.
 */
function secondsSettings(options: RunOptions, context: RunnerContext): Checked<RunnerSettings> {
	const values = {} as Record<SecondsVersionNumber, number>;
	for (const name of SECONDS_VERSION_NUMBERS) {
		const read = boundedNumber(name, options[name]);
		if (!read.ok) return read;
		values[name] = read.value;
	}
	const { minDelaySeconds: minDelay, maxDelaySeconds: maxDelay } = values;
	if (minDelay > maxDelay) {
		return refuse(
			`Min Delay (${minDelay} s) is more than Max Delay (${maxDelay} s) in the node's Options: set Min Delay to at most Max Delay, or raise Max Delay.`,
		);
	}
	const settings = settingsOf(
		{
			concurrency: values.concurrency,
			timeoutMs: values.timeoutSeconds * 1000,
			maxTries: values.triesPerRequest,
			retryWaitMs: values.retryWaitSeconds * 1000,
			maxRetryWaitMs: values.maxRetryWaitSeconds * 1000,
			maxPerMinute: values.maxRequestsPerMinute,
			minDelayMs: minDelay * 1000,
			maxDelayMs: maxDelay * 1000,
		},
		context,
	);
	return { ok: true, value: settings };
}

/** An option's value (its default when unset), or why it cannot be used, in the panel's words. */
function boundedNumber(name: SecondsVersionNumber, raw: unknown): Checked<number> {
	const property = runOptionProperties.find((entry) => entry.name === name) as INodeProperties;
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
