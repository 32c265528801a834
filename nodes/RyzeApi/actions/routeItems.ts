/**
 * Which output each item leaves on, and with which fields: pure, from what was read of the items
 * and what the runner answered. Every input item leaves exactly once, in input order, keeping its
 * own fields and binary data, with pairedItem pointing at it.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { FailedItemWords } from './errorHints';
import type { Failure, Outcome } from '../shared/interfaces';
import type { OutputKey, OutputLayout } from './outputs';

/** What was read of one item: the task it shares (duplicates share one) and the identifier sent. */
export interface ItemPlan {
	taskIndex: number;
	identifier: string;
}

export type Branch = OutputKey;

/** How an operation shows its results on an item. */
export interface ResultFields<T> {
	/**
	 * The fields a success adds, and its branch; a list makes one new item each (Get Many Groups),
	 * all paired with the input item, which they do not copy.
	 */
	success(value: T, identifier: string): { fields: IDataObject | IDataObject[]; branch: Branch };
	/** The fields naming what was sent, on errors too (null when nothing could be read). */
	sent(identifier: string | null): IDataObject;
	/** The status and hint of a failed item (they depend on the operation and the node's version). */
	failed: FailedItemWords;
}

/** A runner's result for routing: `instanceGivenUp` when the run stopped calling its instance. */
export type RoutedResult<T> = Outcome<T> & { instanceGivenUp?: true };

export function routeItems<T>(
	items: INodeExecutionData[],
	plans: Array<Outcome<ItemPlan>>,
	results: Array<RoutedResult<T>>,
	show: ResultFields<T>,
	layout: OutputLayout,
): INodeExecutionData[][] {
	const outputs: INodeExecutionData[][] = Array.from({ length: layout.count }, () => []);
	for (const [itemIndex, input] of items.entries()) {
		const { fields, branch, n8nAddsInput } = itemResult(plans[itemIndex], results, show, layout);
		const output = outputs[layout.indexOf[branch]];
		if (Array.isArray(fields)) {
			for (const json of fields) output.push({ json, pairedItem: { item: itemIndex } });
			continue;
		}
		output.push({
			json: layout.keepInput && !n8nAddsInput ? withFields(input.json, fields) : fields,
			binary: layout.keepInput ? input.binary : undefined,
			pairedItem: { item: itemIndex },
		});
	}
	return outputs;
}

/**
 * Whether a failure is about what the node runs with, not about the item: a refused token (401,
 * or 403 for the instance) or a credential that cannot be used (reason `unauthorized`, which only
 * these give), or an instance the run gave up on after answers in a row saying it is unavailable.
 * On Error = Stop fails the node on the first two; every other reason is the item's own outcome.
 */
function isSetupFailure(failure: Failure, instanceGivenUp: boolean): boolean {
	if (failure.reason === 'unauthorized') return true;
	return failure.reason === 'instance_unavailable' && instanceGivenUp;
}

/**
 * `{ ...json, ...fields }`, built key by key: in V8 a spread followed by more properties leaves
 * a slow object and cost about 10 µs per item, more than the rest of routing. Same keys, same
 * order, and an own "__proto__" key stays a plain key, as the spread keeps it.
 */
function withFields(json: IDataObject, fields: IDataObject): IDataObject {
	const merged: IDataObject = {};
	copyOwnEnumerable(merged, json);
	copyOwnEnumerable(merged, fields);
	return merged;
}

function copyOwnEnumerable(target: IDataObject, source: IDataObject): void {
	for (const key of Object.keys(source)) {
		if (key === '__proto__') {
			Object.defineProperty(target, key, {
				value: source[key],
				enumerable: true,
				writable: true,
				configurable: true,
			});
		} else {
			target[key] = source[key];
		}
	}
	for (const symbol of Object.getOwnPropertySymbols(source)) {
		if (Object.prototype.propertyIsEnumerable.call(source, symbol)) {
			(target as Record<symbol, unknown>)[symbol] = (source as Record<symbol, unknown>)[symbol];
		}
	}
}

/** What an item gets; `n8nAddsInput`: n8n puts the input's fields back itself (see n8nErrorOutputFields). */
interface ItemResult {
	fields: IDataObject | IDataObject[];
	branch: Branch;
	n8nAddsInput?: true;
}

function itemResult<T>(
	plan: Outcome<ItemPlan>,
	results: Array<RoutedResult<T>>,
	show: ResultFields<T>,
	layout: OutputLayout,
): ItemResult {
	if (!plan.ok) return failed(plan.failure, false, show.sent(null), layout, show.failed);
	const result = results[plan.value.taskIndex];
	if (result.ok) return show.success(result.value, plan.value.identifier);
	const givenUp = result.instanceGivenUp === true;
	return failed(result.failure, givenUp, show.sent(plan.value.identifier), layout, show.failed);
}

function failed(
	failure: Failure,
	instanceGivenUp: boolean,
	sent: IDataObject,
	layout: OutputLayout,
	words: FailedItemWords,
): ItemResult {
	const deferred = failure.notBefore !== undefined;
	const status = deferred ? 'deferred' : words.status;
	const notBefore = deferred
		? { notBefore: new Date(failure.notBefore as number).toISOString() }
		: {};
	const details = errorDetails(failure, words);
	// From 1.2 `error` also holds what the item says at the top: n8n's Error output keeps only it.
	const error = words.errorHoldsItem ? { ...details, status, ...sent, ...notBefore } : details;
	if (layout.setupFailuresToN8nErrorOutput && isSetupFailure(failure, instanceGivenUp)) {
		return {
			fields: n8nErrorOutputFields(failure, error, sent),
			branch: 'error',
			n8nAddsInput: true,
		};
	}
	return {
		fields: { status, ...sent, ...notBefore, error },
		branch: deferred ? 'deferred' : 'error',
	};
}

/**
 * An item n8n moves to its Error output. n8n-core's handleNodeErrorOutput (1.123 to 2.41) moves
 * an item whose json holds only `error` and `message`, and gives it back the input item's fields
 * through pairedItem; so what was sent goes inside `error`. (An item-level `error` would be moved
 * too, but n8n then replaces the whole json with the error's message.)
 */
function n8nErrorOutputFields(
	failure: Failure,
	error: IDataObject,
	sent: IDataObject,
): IDataObject {
	return {
		error: { ...error, ...sent },
		// Never empty: n8n 1.x moves the item only when `message` is truthy.
		message: failure.message || failure.reason,
	};
}

function errorDetails(failure: Failure, words: FailedItemWords): IDataObject {
	const { reason, message, httpStatus } = failure;
	// The hint says what to do; RyzeAPI's own message only says what happened.
	return { reason, message, httpStatus, hint: words.hint(reason) };
}
