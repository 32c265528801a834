/**
 * What fails the node as a whole rather than an item: options that cannot be used, a token
 * RyzeAPI refused (remembered for the execution, so n8n's Retry On Fail sends nothing again).
 */
import type { IExecuteFunctions, INode, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { causeOf } from '../ledger/store';
import type { RunnerSettings, TaskResult } from '../runner/runOperation';
import { earlierRefusal, refusedTokenKey, rememberRefusal } from '../runner/refusedInExecution';
import type { Endpoint } from '../shared/connection';
import { endpointKey } from '../shared/connection';
import type { Checked, Failure } from '../shared/interfaces';
import type { RunOptions } from './options/runnerSettings';
import { runnerSettings } from './options/runnerSettings';

/** The runner's settings from the options; one that cannot be used fails the node before any request. */
export function settingsOf(
	this: IExecuteFunctions,
	options: RunOptions,
	spec: { displayName: string; options: INodeProperties[] },
): RunnerSettings {
	const logger = this.logger;
	const context = {
		cancelSignal: this.getExecutionCancelSignal(),
		log: (message: string) => logger.info(`RyzeAPI ${spec.displayName}: ${message}`),
	};
	const checked = runnerSettings(options, this.getNode().typeVersion, context, spec.options);
	if (!checked.ok) throw new NodeOperationError(this.getNode(), checked.message);
	return checked.value;
}

/**
 * Where this node's refused token is remembered for this execution, after failing at once when it
 * already was: n8n's Retry On Fail then sends nothing again (runner/refusedInExecution.ts).
 */
export function refusedTokenMemory(
	this: IExecuteFunctions,
	endpoint: Checked<Endpoint>,
): string | undefined {
	const executionId = this.getExecutionId();
	// Without an execution id, two executions could not be told apart: remember nothing.
	if (!endpoint.ok || !executionId) return undefined;
	const node = this.getNode();
	const key = refusedTokenKey(executionId, node.name, endpointKey(endpoint.value));
	const earlier = earlierRefusal(key);
	if (earlier) throw tokenRefusedError(node, earlier);
	return key;
}

/** A refused token is the node's problem, not a row's: it fails the node, and is remembered. */
export function stopOnRefusedToken<T>(
	node: INode,
	results: Array<TaskResult<T>>,
	refusedKey: string | undefined,
): void {
	const refused = results.find(
		(result) => result.attempts > 0 && !result.ok && result.failure.reason === 'unauthorized',
	);
	if (refused === undefined || refused.ok) return;
	if (refusedKey !== undefined) rememberRefusal(refusedKey, refused.failure);
	throw tokenRefusedError(node, refused.failure);
}

function tokenRefusedError(node: INode, failure: Failure): NodeApiError {
	return new NodeApiError(
		node,
		{ message: failure.message, httpStatus: failure.httpStatus },
		{
			message: `RyzeAPI refused the credential: ${failure.message}`,
			description:
				'Check the token and instance name in the RyzeAPI credential: the token must be a TokenAccount of the account that owns the instance, or the TokenInstance of that instance. No further items were sent.',
			httpCode: failure.httpStatus === null ? undefined : String(failure.httpStatus),
		},
	);
}

/**
 * The join ledger cannot be used: the node fails in the ledger's own words. n8n swaps a message
 * naming a system error (ECONNREFUSED, EACCES, ENOTDIR…) for a generic one ("The service refused
 * the connection") that says neither which service nor what to do: the message is put back.
 */
export function ledgerUnavailableError(
	node: INode,
	error: unknown,
	itemIndex?: number,
): NodeOperationError {
	const message = causeOf(error);
	const nodeError = new NodeOperationError(node, message, { itemIndex });
	nodeError.message = message;
	return nodeError;
}
