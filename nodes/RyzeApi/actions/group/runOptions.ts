import type { INodeProperties } from 'n8n-workflow';

import type { RunnerSettings } from '../../runner/runOperation';

/** The exponential backoff between tries stops growing here, whatever Retry Wait and Max Tries say. */
export const MAX_BACKOFF_MS = 60_000;
export const MIN_TIMEOUT_MS = 1_000;

/**
 * The options every group operation shares, in the order a person decides them (not alphabetical,
 * see eslint.config.mjs): where it runs, how fast, how it retries.
 */
export const runOptionProperties: INodeProperties[] = [
	{
		displayName: 'Instance Name',
		name: 'instanceName',
		type: 'string',
		default: '',
		description:
			"Instance to use instead of the credential's. Useful with a TokenAccount, which can act on every instance of the account.",
	},
	{
		displayName: 'Min Delay (Seconds)',
		name: 'minDelay',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'Lower bound of the random pause between requests',
	},
	{
		displayName: 'Max Delay (Seconds)',
		name: 'maxDelay',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'Upper bound of a random pause between requests. WhatsApp may restrict numbers that join many groups quickly; a pause of a few seconds to a minute looks like a person.',
	},
	{
		displayName: 'Max Requests Per Minute',
		name: 'maxRequestsPerMinute',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			"Cap below the provider's rate limit, to keep budget for other workflows using the same token. 0 uses all the provider allows.",
	},
	{
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
	{
		displayName: 'Max Tries',
		name: 'maxTries',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10 },
		default: 5,
		description:
			'Tries per item, the first included. Only 429, 5xx, network errors, timeouts and unreadable answers are tried again; other errors never are.',
	},
	{
		displayName: 'Retry Wait (Milliseconds)',
		name: 'retryWait',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 1000,
		description: `Base of the exponential backoff between tries (with random jitter, at most ${MAX_BACKOFF_MS / 1000} s). A 429 waits instead for Retry-After or the rate-limit reset.`,
	},
	{
		displayName: 'Max Retry Wait (Seconds)',
		name: 'maxRetryWait',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 300,
		description:
			'Most time one item may spend waiting between its tries; after that it goes to Failed with its reason',
	},
	{
		displayName: 'Timeout (Milliseconds)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: MIN_TIMEOUT_MS },
		default: 30000,
		description:
			'Time in ms to wait for each answer from RyzeAPI before the item goes to Failed with reason timeout',
	},
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
	| 'instanceName'
	| 'concurrency'
	| 'maxRequestsPerMinute'
	| 'minDelay'
	| 'maxDelay'
	| 'maxTries'
	| 'retryWait'
	| 'maxRetryWait'
	| 'timeout';

export type RunOptions = Partial<Record<RunOptionName, unknown>>;

/** Every run option's default, read off the description above: the one place they are written. */
export const RUN_OPTION_DEFAULTS = Object.fromEntries(
	runOptionProperties.map((property) => [property.name, property.default]),
) as Record<RunOptionName, unknown>;

/**
 * The runner's settings from the node's options: a missing or unreadable value takes its default,
 * and a value below its minimum is raised to it. Pure, apart from what is passed in.
 */
export function runnerSettings(
	options: RunOptions,
	context: Pick<RunnerSettings, 'cancelSignal' | 'log'> = {},
): RunnerSettings {
	const number = (key: keyof typeof RUN_OPTION_DEFAULTS & keyof RunOptions, min: number) => {
		const parsed = Number(options[key] ?? RUN_OPTION_DEFAULTS[key]);
		return Number.isFinite(parsed)
			? Math.max(min, parsed)
			: Math.max(min, Number(RUN_OPTION_DEFAULTS[key]));
	};
	const maxPerMinute = number('maxRequestsPerMinute', 0);
	return {
		concurrency: Math.floor(number('concurrency', 1)),
		timeoutMs: number('timeout', MIN_TIMEOUT_MS),
		retry: {
			maxTries: Math.floor(number('maxTries', 1)),
			baseDelayMs: number('retryWait', 0),
			maxDelayMs: MAX_BACKOFF_MS,
		},
		maxRetryWaitMs: number('maxRetryWait', 0) * 1000,
		minIntervalMs: maxPerMinute > 0 ? 60_000 / maxPerMinute : 0,
		humanDelayMs: { min: number('minDelay', 0) * 1000, max: number('maxDelay', 0) * 1000 },
		...context,
	};
}
