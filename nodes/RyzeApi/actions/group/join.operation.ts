import type {
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { Checked, Connection, CredentialFields, Endpoint } from '../../helpers/connection';
import { resolveEndpoint, withInstance } from '../../helpers/connection';
import { ERROR_HINTS } from '../../helpers/errorHints';
import type { JoinFailure, JoinOutcome } from '../../helpers/interfaces';
import type { OutputKey } from '../../helpers/outputs';
import { nodeOutputs, outputIndex, STABLE_OUTPUTS_VERSION } from '../../helpers/outputs';
import { parseInviteIdentifier } from '../../helpers/inviteCode';
import type { RunnerSettings, TaskResult } from '../../runner/runOperation';
import { RequestCancelledError } from '../../transport/cancel';
import { runJoins, TaskFeed } from '../../runner/runOperation';

/** Items read between two yields to the event loop, which lets answers in meanwhile be handled. */
const READS_BETWEEN_YIELDS = 32;

// The token's remaining budget caps what is really in flight: at the default 100 per minute this
// never matters; with a raised limit, 16 keeps a 2,000-row sheet well ahead of n8n's HTTP Request node.
const DEFAULT_CONCURRENCY = 16;

// From version 1.1 (see helpers/outputs.ts); version 1 keeps the option inside Options.
const stableOutputs = { '@version': [{ _cnd: { gte: STABLE_OUTPUTS_VERSION } }] };

const properties: INodeProperties[] = [
	{
		displayName: 'Identifier',
		name: 'identifier',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. chat.whatsapp.com/AbCdEf…',
		description:
			'The group invite link or invite code to join, usually an expression that reads it from the item. Links are read in any common form (with or without https://, /invite/, a trailing slash or a query). Group IDs ending in @g.us and phone numbers are refused.',
	},
	{
		// Top level with noDataExpression: it decides the node's outputs, which n8n computes from
		// the parameters before any item exists (an expression there could not be resolved).
		displayName: 'Pending Approval Output',
		name: 'pendingApprovalOutput',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: stableOutputs },
		default: 'success',
		options: [
			{
				name: 'Success Output',
				value: 'success',
				description: 'Joins waiting for an admin leave on Success, with status pending_approval',
			},
			{
				name: 'Separate Output',
				value: 'separate',
				description: 'A third output, Pending, for joins waiting for an admin',
			},
		],
		description: "Where joins that wait for a group admin's approval go",
	},
	{
		displayName:
			'Success also receives joins still waiting for an admin (status "pending_approval"). To count only completed joins, choose Separate Output above.',
		name: 'pendingOnSuccessNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...stableOutputs, pendingApprovalOutput: ['success'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		// In the order a person decides them, not alphabetical (see eslint.config.mjs):
		// which instance, how fast, then what happens on failures.
		options: [
			{
				displayName: 'Instance Name',
				name: 'instanceName',
				type: 'string',
				default: '',
				description:
					"Instance to join with instead of the credential's. Useful with a TokenAccount, which can act on every instance of the account.",
			},
			{
				displayName: 'Min Delay (Seconds)',
				name: 'minDelay',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					'Shortest random pause between two joins. WhatsApp may restrict numbers that join many groups quickly; a pause of a few seconds to a minute looks like a person.',
			},
			{
				displayName: 'Max Delay (Seconds)',
				name: 'maxDelay',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Longest random pause between two joins',
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
				displayName: 'Requests in Flight',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: DEFAULT_CONCURRENCY,
				description:
					"Most join requests sent at the same time. Never more than the token's remaining rate-limit budget allows.",
			},
			{
				displayName: 'Max Tries',
				name: 'maxTries',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10 },
				default: 5,
				description:
					'Tries per join, the first included. Only 429, 5xx, network errors, timeouts and unreadable answers are tried again; other errors never are.',
			},
			{
				displayName: 'Retry Wait (Milliseconds)',
				name: 'retryWait',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 1000,
				description:
					'Base of the exponential backoff between tries (with random jitter). A 429 waits instead for Retry-After or the rate-limit reset.',
			},
			{
				displayName: 'Max Retry Wait (Seconds)',
				name: 'maxRetryWait',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 300,
				description:
					'Most time one join may spend waiting between its tries; after that it goes to Failed with its reason',
			},
			{
				displayName: 'Timeout (Milliseconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1000 },
				default: 30000,
				description:
					'Time to wait for each answer from RyzeAPI before the item goes to Failed with reason timeout',
			},
			{
				displayName: 'Pending Approval Output',
				name: 'pendingApprovalOutput',
				type: 'options',
				displayOptions: { show: { '@version': [1] } },
				default: 'success',
				options: [
					{
						name: 'Success Output',
						value: 'success',
						description:
							'Joins waiting for an admin leave on Success, with status pending_approval',
					},
					{
						name: 'Separate Output',
						value: 'separate',
						description: 'Three outputs: Joined, Pending and Failed',
					},
				],
				description: "Where joins that wait for a group admin's approval go",
			},
		],
	},
];

const displayOptions = {
	show: {
		resource: ['group'],
		operation: ['join'],
	},
};

export const description = updateDisplayOptions(displayOptions, properties);

interface JoinOptions {
	instanceName?: string;
	pendingApprovalOutput?: 'success' | 'separate';
	timeout?: number;
	concurrency?: number;
	maxRequestsPerMinute?: number;
	maxTries?: number;
	retryWait?: number;
	maxRetryWait?: number;
	minDelay?: number;
	maxDelay?: number;
}

/**
 * Joins one group per input item. Every input item leaves on exactly one output, keeps its own
 * fields and gains the result; pairedItem points at it. Output order follows input order. Items
 * with the same code (and instance) cost one request, whose answer goes to each of them.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[][]> {
	const options = this.getNodeParameter('options', 0, {}) as JoinOptions;
	const credentials = (await this.getCredentials('ryzeApi')) as CredentialFields;
	const endpoint = resolveEndpoint(credentials);
	const continueOnFail = this.continueOnFail();

	const settings = runnerSettings.call(this, options);

	// Items are read while the first joins are already on their way: refusals cost no request, and
	// duplicates (same code and instance) become one task. The runner starts as tasks arrive.
	const feed = new TaskFeed();
	const running = runJoins(feed, settings).then(
		(results) => ({ results }),
		(error: unknown) => ({ error }),
	);
	// Each expression costs n8n a data proxy per item: read the instance per item only when it is one.
	const rawInstance = (this.getNode().parameters.options as IDataObject | undefined)?.instanceName;
	const instancePerItem = typeof rawInstance === 'string' && rawInstance.startsWith('=');
	const requests: ItemRequest[] = [];
	const taskOfItem: Array<number | undefined> = [];
	const taskByKey = new Map<string, number>();
	let unusableCredential: NodeOperationError | undefined;
	for (
		let itemIndex = 0;
		itemIndex < items.length && !settings.cancelSignal?.aborted;
		itemIndex++
	) {
		// Let the answers already in be handled between reads.
		if (itemIndex % READS_BETWEEN_YIELDS === READS_BETWEEN_YIELDS - 1)
			await new Promise((resolve) => setImmediate(resolve));
		const request = readItem.call(
			this,
			credentials,
			endpoint,
			itemIndex,
			instancePerItem ? undefined : (options.instanceName ?? ''),
		);
		requests.push(request);
		if (!request.ok) {
			if (request.failure.reason === 'unauthorized' && !continueOnFail) {
				// An item is named only when its own Instance Name expression made the credential unusable.
				unusableCredential = new NodeOperationError(
					this.getNode(),
					request.failure.message,
					instancePerItem ? { itemIndex } : {},
				);
				break;
			}
			continue;
		}
		const { connection, code } = request;
		const key = JSON.stringify([connection.origin, connection.basePath, connection.instance, code]);
		let taskIndex = taskByKey.get(key);
		if (taskIndex === undefined) {
			taskIndex = feed.push({ connection, code });
			taskByKey.set(key, taskIndex);
		}
		taskOfItem[itemIndex] = taskIndex;
	}
	if (unusableCredential) feed.stop();
	else feed.close();
	const run = await running;
	if ('error' in run) throw run.error;
	if (unusableCredential) throw unusableCredential;
	// Stopped while reading, with nothing in flight: the runner had nothing to cancel.
	if (settings.cancelSignal?.aborted) throw new RequestCancelledError();
	const { results } = run;

	const refused = results.findIndex(
		(result) =>
			result.sent && !result.outcome.ok && result.outcome.failure.reason === 'unauthorized',
	);
	if (refused !== -1 && !continueOnFail) {
		const result = results[refused] as Extract<TaskResult, { sent: true }>;
		throw tokenRefusedError.call(
			this,
			(result.outcome as Extract<JoinOutcome, { ok: false }>).failure,
		);
	}

	// An AI agent is handed only a tool's first output: as a tool, every item goes there, and its
	// `status` and `error` tell the agent what happened.
	const node = this.getNode();
	const asAiTool = runsAsAiTool(node);
	// The same function that gives the canvas its outputs (the description's outputs expression).
	const outputs = asAiTool
		? []
		: nodeOutputs(
				{
					operation: 'join',
					pendingApprovalOutput: this.getNodeParameter('pendingApprovalOutput', 0, 'success'),
					options,
				},
				node.typeVersion,
			);
	const returned: INodeExecutionData[][] = asAiTool ? [[]] : outputs.map(() => []);
	const to = (key: OutputKey) => returned[asAiTool ? 0 : outputIndex(outputs, key)];
	for (const [itemIndex, input] of items.entries()) {
		const emit = (result: IDataObject, output: INodeExecutionData[]) =>
			output.push({
				json: { ...input.json, ...result },
				binary: input.binary,
				pairedItem: { item: itemIndex },
			});
		const request = requests[itemIndex];
		if (!request.ok) {
			emit(failureFields(request.failure), to('error'));
			continue;
		}
		const result = results[taskOfItem[itemIndex] as number];
		if (!result.sent) {
			emit(failureFields(result.failure, request.code), to('error'));
		} else if (result.outcome.ok) {
			const { status, groupJid, requiresApproval, message } = result.outcome.success;
			emit(
				{ status, groupJid, requiresApproval, inviteCode: request.code, message },
				to(requiresApproval ? 'pendingApproval' : 'success'),
			);
		} else {
			emit(failureFields(result.outcome.failure, request.code), to('error'));
		}
	}
	return returned;
}

/** n8n runs a node connected to an agent under its type name plus "Tool" (as n8n-workflow tells tools apart). */
function runsAsAiTool(node: INode): boolean {
	return node.type.endsWith('Tool');
}

/** Every failed item has the same fields: `inviteCode` is null when none was read. */
function failureFields(failure: JoinFailure, inviteCode?: string): IDataObject {
	return {
		status: 'error',
		inviteCode: inviteCode ?? null,
		error: { ...failure, hint: ERROR_HINTS[failure.reason] },
	};
}

function runnerSettings(this: IExecuteFunctions, options: JoinOptions): RunnerSettings {
	const number = (value: unknown, fallback: number, min: number) => {
		const parsed = Number(value);
		return Number.isFinite(parsed) ? Math.max(min, parsed) : fallback;
	};
	const maxPerMinute = number(options.maxRequestsPerMinute, 0, 0);
	const logger = this.logger;
	return {
		concurrency: Math.floor(number(options.concurrency, DEFAULT_CONCURRENCY, 1)),
		timeoutMs: number(options.timeout, 30_000, 1_000),
		retry: {
			maxTries: Math.floor(number(options.maxTries, 5, 1)),
			baseDelayMs: number(options.retryWait, 1_000, 0),
			maxDelayMs: 60_000,
		},
		maxRetryWaitMs: number(options.maxRetryWait, 300, 0) * 1000,
		minIntervalMs: maxPerMinute > 0 ? 60_000 / maxPerMinute : 0,
		humanDelayMs: {
			min: number(options.minDelay, 0, 0) * 1000,
			max: number(options.maxDelay, 0, 0) * 1000,
		},
		cancelSignal: this.getExecutionCancelSignal(),
		log: (message) => logger.info(`RyzeAPI Join Group: ${message}`),
	};
}

type ItemRequest =
	{ ok: true; connection: Connection; code: string } | { ok: false; failure: JoinFailure };

/** Reads and checks one item's parameters; refusals here cost no request. */
function readItem(
	this: IExecuteFunctions,
	credentials: CredentialFields,
	endpoint: Checked<Endpoint>,
	itemIndex: number,
	fixedInstance?: unknown,
): ItemRequest {
	let identifier: unknown;
	let instanceOverride: unknown = fixedInstance;
	try {
		identifier = this.getNodeParameter('identifier', itemIndex);
		if (fixedInstance === undefined)
			instanceOverride = this.getNodeParameter('options.instanceName', itemIndex, '');
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return {
			ok: false,
			failure: {
				reason: 'invalid_identifier',
				message: `Could not read this item's parameters: ${reason}`,
				httpStatus: null,
			},
		};
	}
	const connection = endpoint.ok
		? withInstance(endpoint.value, credentials, instanceOverride)
		: endpoint;
	if (!connection.ok) {
		return {
			ok: false,
			failure: { reason: 'unauthorized', message: connection.message, httpStatus: null },
		};
	}
	const parsed = parseInviteIdentifier(identifier);
	if (!parsed.ok) {
		return {
			ok: false,
			failure: { reason: 'invalid_identifier', message: parsed.message, httpStatus: null },
		};
	}
	return { ok: true, connection: connection.value, code: parsed.code };
}

// No itemIndex: n8n would append "[item N]", but a refused token concerns the credential, not an item.
function tokenRefusedError(this: IExecuteFunctions, failure: JoinFailure): NodeApiError {
	return new NodeApiError(
		this.getNode(),
		{ message: failure.message, httpStatus: failure.httpStatus },
		{
			message: `RyzeAPI refused the credential: ${failure.message}`,
			description:
				'Check the token and instance name in the RyzeAPI credential: the token must be a TokenAccount of the account that owns the instance, or the TokenInstance of that instance. No further items were sent.',
			httpCode: failure.httpStatus === null ? undefined : String(failure.httpStatus),
		},
	);
}
