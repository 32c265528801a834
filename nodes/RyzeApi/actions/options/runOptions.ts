import type { INodeProperties } from 'n8n-workflow';

import { FROM_VERSION_1_1 } from '../nodeVersion';
import { instanceNameProperty } from '../../shared/connection';

/** The exponential backoff between tries stops growing here, whatever the options say. */
export const MAX_BACKOFF_MS = 60_000;
export const MIN_TIMEOUT_MS = 1_000;

/**
 * From this version every duration option is in seconds (its name ends in "Seconds"), the retry
 * options are named per request, and a value outside the bounds the panel shows is refused.
 * Version 1 keeps its names, units and silent corrections.
 */

const version1 = { show: { '@version': [1] } };
const fromSecondsVersion = { show: FROM_VERSION_1_1 };

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
	instanceName: instanceNameProperty('use'),
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

/** What an operation adds to the shared options: its own first; Join's from version 1.2. */
export interface OwnOptions {
	/** Shown first: the operation's own options. */
	first?: INodeProperties[];
	/** From version 1.2: entries that replace the shared ones of the same name (Join's delays). */
	replacingFrom1_2?: INodeProperties[];
	/** From version 1.2: shown after the delays (Join's budget and pauses). */
	afterDelays?: INodeProperties[];
}

/**
 * An operation's option entries, in the order a person decides them: its own, then where it runs
 * and how fast (with Join's budget after the delays), then how it retries. Version 1.1's entry of
 * a name replaced from 1.2 is shown at 1.1 only.
 */
export function optionEntries(own: OwnOptions = {}): INodeProperties[] {
	const replacing = own.replacingFrom1_2 ?? [];
	const shared = runOptionProperties.flatMap((entry) => {
		const replacement = replacing.find((candidate) => candidate.name === entry.name);
		if (!replacement || entry.displayOptions !== fromSecondsVersion) return [entry];
		return [{ ...entry, displayOptions: { show: { '@version': [1.1] } } }, replacement];
	});
	const afterDelay = shared.map((entry) => entry.name).lastIndexOf('maxDelaySeconds') + 1;
	return [
		...(own.first ?? []),
		...shared.slice(0, afterDelay),
		...(own.afterDelays ?? []),
		...shared.slice(afterDelay),
	];
}

/** An operation's Options collection, from its entries (optionEntries). */
export function optionsCollection(entries: INodeProperties[] = optionEntries()): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option', // n8n 2.x's own wording
		default: {},
		options: entries,
	};
}

export type RunOptionName =
	keyof typeof sharedOptions | keyof typeof version1Options | keyof typeof secondsOptions;
