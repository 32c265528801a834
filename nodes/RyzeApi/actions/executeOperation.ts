import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { CredentialFields, Endpoint } from '../shared/connection';
import { endpointKey, resolveEndpoint } from '../shared/connection';
import { failedItemWords } from './errorHints';
import type { Checked, Failure, Outcome } from '../shared/interfaces';
import type { ResultFields } from './routeItems';
import { nodeOutputs, outputLayout, runsAsAiTool } from './outputs';
import { routeItems } from './routeItems';
import type { Operation, RunnerSettings, Task } from '../runner/runOperation';
import { earlierRefusal, refusalKey, rememberRefusal } from '../runner/refusedInExecution';
import { runOperation, TaskFeed } from '../runner/runOperation';
import { RequestCancelledError } from '../transport/cancel';
import { readItems } from './readItems';
import type { RunOptions } from './group/runOptions';
import { runnerSettings } from './group/runOptions';

/** What an operation adds to the shared flow: its request, how it reads identifiers, how it shows results. */
export interface OperationSpec<T> {
	operation: Operation<T>;
	/** Display name in log lines, e.g. "Join Group". */
	displayName: string;
	parseIdentifier: (value: unknown) => Checked<string>;
	/** How results show on items; a failed item's words are the node's (failedItemWords). */
	show: Omit<ResultFields<T>, 'failed'>;
}

/**
 * The flow every group operation shares: read and check the items (readItems.ts) while the runner
 * sends their requests (runner/), stop on a refused token (unless n8n continues on fail), then
 * route every item to its output (actions/routeItems.ts, which also sends a refused token or a
 * given-up instance to n8n's Error output when On Error says so).
 */
export async function executeOperation<T>(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	spec: OperationSpec<T>,
): Promise<INodeExecutionData[][]> {
	const options = this.getNodeParameter('options', 0, {}) as RunOptions;
	const credentials = (await this.getCredentials('ryzeApi')) as CredentialFields;
	const settings = settingsFrom.call(this, options, spec.displayName);
	const endpoint = resolveEndpoint(credentials);
	const refusal = refusalMemory.call(this, endpoint);

	const feed = new TaskFeed<Task>();
	const running = runOperation(spec.operation, feed, settings).then(
		(results) => ({ results }),
		(error: unknown) => ({ error }),
	);
	const read = await readItems.call(
		this,
		items.length,
		credentials,
		endpoint,
		spec.parseIdentifier,
		feed,
	);
	if (read.unusableCredential) feed.stop();
	else feed.close();
	const run = await running;
	if ('error' in run) throw run.error;
	if (read.unusableCredential) {
		// About the credential, not about one item: no item index in the message.
		throw new NodeOperationError(this.getNode(), read.unusableCredential.failure.message);
	}
	// Stopped while reading, with nothing in flight: the runner had nothing to cancel.
	if (settings.cancelSignal?.aborted) throw new RequestCancelledError();

	if (!this.continueOnFail()) stopOnRefusedToken(this.getNode(), run.results, refusal);

	// The outputs the canvas shows: the same function is the description's outputs expression.
	const node = this.getNode();
	const operation = this.getNodeParameter('operation', 0);
	const outputs = nodeOutputs(
		{
			operation,
			pendingApprovalOutput: this.getNodeParameter('pendingApprovalOutput', 0, 'success'),
			options,
		},
		node.typeVersion,
	);
	const layout = outputLayout(outputs, runsAsAiTool(node.type), node.onError, node.typeVersion);
	const show = { ...spec.show, failed: failedItemWords(operation, node.typeVersion) };
	return routeItems(items, read.plans, run.results, show, layout);
}

/** The runner's settings from the options; one that cannot be used fails the node before any request. */
function settingsFrom(
	this: IExecuteFunctions,
	options: RunOptions,
	displayName: string,
): RunnerSettings {
	const logger = this.logger;
	const checked = runnerSettings(options, this.getNode().typeVersion, {
		cancelSignal: this.getExecutionCancelSignal(),
		log: (message) => logger.info(`RyzeAPI ${displayName}: ${message}`),
	});
	if (!checked.ok) throw new NodeOperationError(this.getNode(), checked.message);
	return checked.value;
}

/**
 * Where this node's refused token is remembered for this execution, after failing at once when it
 * already was: n8n's Retry On Fail then sends nothing again (runner/refusedInExecution.ts).
 */
function refusalMemory(this: IExecuteFunctions, endpoint: Checked<Endpoint>): string | undefined {
	const executionId = this.getExecutionId();
	// Without an execution id, two executions could not be told apart: remember nothing.
	if (!endpoint.ok || !executionId) return undefined;
	const node = this.getNode();
	const key = refusalKey(executionId, node.name, endpointKey(endpoint.value));
	const earlier = earlierRefusal(key);
	if (earlier) throw tokenRefusedError(node, earlier);
	return key;
}

/** A refused token is the node's problem, not a row's: it fails the node, and is remembered. */
function stopOnRefusedToken<T>(
	node: INode,
	results: Array<Outcome<T> & { attempts: number }>,
	refusal: string | undefined,
): void {
	const refused = results.find(
		(result) => result.attempts > 0 && !result.ok && result.failure.reason === 'unauthorized',
	);
	if (refused === undefined || refused.ok) return;
	if (refusal !== undefined) rememberRefusal(refusal, refused.failure);
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
