import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { JoinLedger } from '../ledger/joinLedger';
import { ledgerFailure } from '../ledger/joinOutcomes';
import { ledgerOfNode, REDIS_CREDENTIAL } from '../ledger/nodeLedger';
import { causeOf, LedgerUnavailableError } from '../ledger/store';
import type {
	Admission,
	Operation,
	RunnerSettings,
	Task,
	TaskResult,
} from '../runner/runOperation';
import { runOperation } from '../runner/runOperation';
import { TaskFeed } from '../runner/taskFeed';
import type { CredentialFields } from '../shared/connection';
import { resolveEndpoint } from '../shared/connection';
import type { Checked, Failure, Outcome } from '../shared/interfaces';
import { RequestCancelledError } from '../transport/cancel';
import { failedItemWords } from './errorHints';
import { isBeforeJoinLedger } from './nodeVersion';
import type { RunOptions } from './options/runnerSettings';
import { nodeOutputs, outputLayout, runsAsAiTool } from './outputs';
import type { ReadItemsResult } from './readItems';
import { readItems } from './readItems';
import type { ItemPlan, ResultFields } from './routeItems';
import { routeItems } from './routeItems';
import {
	ledgerUnavailableError,
	refusedTokenMemory,
	settingsOf,
	stopOnRefusedToken,
} from './setupChecks';

/** What an operation adds to the shared flow: its request, how it reads identifiers, how it shows results. */
export interface OperationSpec<T> {
	/** Display name in log lines, e.g. "Join Group". */
	displayName: string;
	/** Its Options entries: their defaults and bounds are what runnerSettings applies. */
	options: INodeProperties[];
	/** The runner's operation: the request, the answer, whether it may be repeated. */
	operation(context: IExecuteFunctions): Operation<T>;
	parseIdentifier: (value: unknown) => Checked<string>;
	/** How results show on items; a failed item's words are the node's (failedItemWords). */
	show: Omit<ResultFields<T>, 'failed'>;
	/** From version 1.2, what the operation does with the join ledger. */
	ledger?: LedgerUse<T>;
}

/** An admission for a whole run: one lookup before it, the ledger settled after it. */
export type RunAdmission<T> = Admission<T> & {
	prepare(tasks: readonly Task[]): Promise<void>;
	finish(): Promise<void>;
	/** What could not be written to the ledger after the requests were made. */
	readonly unrecorded: readonly string[];
};

/** An operation's part in the join ledger (Join holds tasks back; Leave marks groups left). */
export interface LedgerUse<T> {
	admission?(
		context: IExecuteFunctions,
		options: RunOptions,
		ledger: JoinLedger,
	): Checked<RunAdmission<T>>;
	afterRun?(
		ledger: JoinLedger,
		tasks: readonly Task[],
		results: Array<TaskResult<T>>,
	): Promise<void>;
}

/**
 * The flow every group operation shares: read and check the items (readItems.ts) while the runner
 * sends their requests (runner/), stop on a refused token (unless n8n continues on fail), then
 * route every item to its output (routeItems.ts, which also sends a refused token or a given-up
 * instance to n8n's Error output when On Error says so). From 1.2 Join reads every item first and
 * asks the join ledger (ledger/joinAdmission.ts) before and at each request.
 */
export async function executeOperation<T>(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	spec: OperationSpec<T>,
): Promise<INodeExecutionData[][]> {
	const options = this.getNodeParameter('options', 0, {}) as RunOptions;
	const credentials = (await this.getCredentials('ryzeApi')) as CredentialFields;
	const settings = settingsOf.call(this, options, spec);
	const endpoint = resolveEndpoint(credentials);
	const refusedKey = refusedTokenMemory.call(this, endpoint);
	const ledger = await ledgerFor.call(this, spec);
	const admission = ledgerAdmission(this, spec, options, ledger);

	const feed = new TaskFeed<Task>();
	const operation = spec.operation(this);
	const readAll = () =>
		readItems.call(this, items.length, credentials, endpoint, spec.parseIdentifier, feed);
	const { read, results } = admission
		? await runAdmitted(this, operation, feed, settings, readAll, admission)
		: await runOverlapped(operation, feed, settings, readAll);
	if (read.unusableCredential) {
		// About the credential, not about one item: no item index in the message.
		throw new NodeOperationError(this.getNode(), read.unusableCredential.failure.message);
	}
	// Stopped while reading, with nothing in flight: the runner had nothing to cancel.
	if (settings.cancelSignal?.aborted) throw new RequestCancelledError();
	if (!this.continueOnFail()) stopOnRefusedToken(this.getNode(), results, refusedKey);
	const unrecorded = [...(admission?.unrecorded ?? [])];
	if (ledger && !('unavailable' in ledger) && spec.ledger?.afterRun) {
		await spec.ledger
			.afterRun(ledger, feed.tasks, results)
			.catch((error: unknown) => unrecorded.push(causeOf(error)));
	}
	if (ledger) sayWhatTheLedgerDid(this, results, unrecorded);
	return routeToOutputs.call(this, items, read.plans, results, spec, options);
}

/** Reading overlaps the requests: the first goes while n8n still evaluates later items. */
async function runOverlapped<T>(
	operation: Operation<T>,
	feed: TaskFeed<Task>,
	settings: RunnerSettings,
	readAll: () => Promise<ReadItemsResult>,
): Promise<{ read: ReadItemsResult; results: Array<TaskResult<T>> }> {
	const running = runOperation(operation, feed, settings).then(
		(results) => ({ results }),
		(error: unknown) => ({ error }),
	);
	const read = await readAll();
	if (read.unusableCredential) feed.stop();
	else feed.close();
	const run = await running;
	if ('error' in run) throw run.error;
	return { read, results: run.results };
}

/** Every item read first, then one ledger lookup, then the run; the ledger settled at the end. */
async function runAdmitted<T>(
	context: IExecuteFunctions,
	operation: Operation<T>,
	feed: TaskFeed<Task>,
	settings: RunnerSettings,
	readAll: () => Promise<ReadItemsResult>,
	admission: RunAdmission<T>,
): Promise<{ read: ReadItemsResult; results: Array<TaskResult<T>> }> {
	const read = await readAll();
	if (read.unusableCredential) {
		feed.stop();
		return { read, results: [] as Array<TaskResult<T>> };
	}
	feed.close();
	try {
		await admission.prepare(feed.tasks);
	} catch (error) {
		// Nothing sent. A ledger first reached here (a Redis connects on its first step) fails the
		// node as one that cannot be opened does (ledgerFor); continuing on fail, every task says why.
		if (!context.continueOnFail()) throw ledgerUnavailableError(context.getNode(), error);
		const failure = ledgerFailure(error);
		return {
			read,
			results: feed.tasks.map((): TaskResult<T> => ({ ok: false, failure, attempts: 0 })),
		};
	}
	try {
		return { read, results: await runOperation(operation, feed, settings, admission) };
	} finally {
		await admission.finish();
	}
}

/**
 * From 1.2, the ledger of a Join or Leave. One that cannot be opened fails the node saying what
 * is missing, before anything is sent; or, when the node continues on fail, every item does.
 */
async function ledgerFor<T>(
	this: IExecuteFunctions,
	spec: OperationSpec<T>,
): Promise<JoinLedger | { unavailable: Failure } | undefined> {
	if (!spec.ledger || isBeforeJoinLedger(this.getNode().typeVersion)) return undefined;
	try {
		const ledger = await ledgerOfNode(
			this.getNodeParameter('joinLedger', 0, 'automatic'),
			async () => await this.getCredentials(REDIS_CREDENTIAL),
		);
		// Reached before anything is sent: a Redis connects only on its first step.
		await ledger.reachable();
		return ledger;
	} catch (error) {
		if (!(error instanceof LedgerUnavailableError) || !this.continueOnFail()) {
			throw ledgerUnavailableError(this.getNode(), error);
		}
		return { unavailable: ledgerFailure(error) };
	}
}

/**
 * Join's admission for this run (from 1.2); for Join and Leave alike, one that holds every task
 * back when the ledger is out.
 */
function ledgerAdmission<T>(
	context: IExecuteFunctions,
	spec: OperationSpec<T>,
	options: RunOptions,
	ledger: JoinLedger | { unavailable: Failure } | undefined,
): RunAdmission<T> | undefined {
	if (!ledger) return undefined;
	// Nothing is sent that the ledger could not record.
	if ('unavailable' in ledger) return holdingEverything(ledger.unavailable);
	if (!spec.ledger?.admission) return undefined;
	const admission = spec.ledger.admission(context, options, ledger);
	if (!admission.ok) throw new NodeOperationError(context.getNode(), admission.message);
	return admission.value;
}

function holdingEverything<T>(failure: Failure): RunAdmission<T> {
	return {
		beforeTurn: () => ({ ok: false, failure }),
		atTurn: async () => ({ ok: false, failure }),
		sending: () => undefined,
		answered: () => undefined,
		settled: (_task, result) => result,
		prepare: async () => undefined,
		finish: async () => undefined,
		unrecorded: [],
	};
}

/**
 * How many joins wait, and until when, as a hint beside the output; what the ledger could not
 * record after a request went out, as a warning (the items still leave: nothing is lost).
 */
function sayWhatTheLedgerDid<T>(
	context: IExecuteFunctions,
	results: ReadonlyArray<TaskResult<T>>,
	unrecorded: readonly string[],
): void {
	const waits = results.flatMap((result) =>
		!result.ok && result.failure.notBefore !== undefined ? [result.failure.notBefore] : [],
	);
	const hints: Array<{ message: string; type: 'info' | 'warning' }> = [];
	if (waits.length > 0) {
		const until = new Date(Math.min(...waits)).toISOString();
		hints.push({
			message: `${waits.length} join${waits.length === 1 ? '' : 's'} deferred to keep the number safe; the next may go at ${until} (each item's notBefore). Run them again then.`,
			type: 'info',
		});
	}
	for (const problem of new Set(unrecorded)) {
		context.logger.warn(`RyzeAPI join ledger: ${problem}`);
		hints.push({ message: `The join ledger missed an answer: ${problem}`, type: 'warning' });
	}
	// n8n shows hints beside the output from 1.x on; an n8n without them only logs.
	context.addExecutionHints?.(
		...hints.map((hint) => ({ ...hint, location: 'outputPane' as const })),
	);
}

function routeToOutputs<T>(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	plans: Array<Outcome<ItemPlan>>,
	results: Array<TaskResult<T>>,
	spec: OperationSpec<T>,
	options: RunOptions,
): INodeExecutionData[][] {
	// The outputs the canvas shows: the same function is the description's outputs expression.
	const node = this.getNode();
	const operation = this.getNodeParameter('operation', 0);
	const outputs = nodeOutputs(
		{
			operation,
			// null for operations without it (n8n throws on a missing one without a fallback).
			pendingApprovalOutput: this.getNodeParameter('pendingApprovalOutput', 0, null),
			options,
		},
		node.typeVersion,
	);
	const layout = outputLayout(outputs, runsAsAiTool(node.type), node.onError, node.typeVersion);
	const show = { ...spec.show, failed: failedItemWords(operation, node.typeVersion) };
	return routeItems(items, plans, results, show, layout);
}
