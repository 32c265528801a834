/**
 * Which output each item leaves on, and with which fields: pure, from what was read of the items
 * and what the runner answered. Every input item leaves exactly once, in input order, keeping its
 * own fields and binary data, with pairedItem pointing at it.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { FailedItemWords } from './errorHints';
import type { Failure, Outcome } from './interfaces';
import type { OutputKey, OutputLayout } from './outputs';

/** What was read of one item: the task it shares (duplicates share one) and the identifier sent. */
export interface ItemPlan {
	taskIndex: number;
	identifier: string;
}

export type Branch = OutputKey;

/** How an operation shows its results on an item. */
export interface ResultFields<T> {
	/** The fields a success adds, and its branch. */
	success(value: T, identifier: string): { fields: IDataObject; branch: Branch };
	/** The fields naming what was sent, on errors too (null when nothing could be read). */
	sent(identifier: string | null): IDataObject;
	/** The status and hint of a failed item (they depend on the operation and the node's version). */
	failed: FailedItemWords;
}

export function routeItems<T>(
	items: INodeExecutionData[],
	plans: Array<Outcome<ItemPlan>>,
	results: Array<Outcome<T>>,
	show: ResultFields<T>,
	layout: OutputLayout,
): INodeExecutionData[][] {
	const outputs: INodeExecutionData[][] = Array.from({ length: layout.count }, () => []);
	for (const [itemIndex, input] of items.entries()) {
		const { fields, branch } = itemResult(plans[itemIndex], results, show);
		outputs[layout.indexOf[branch]].push({
			json: withFields(input.json, fields),
			binary: input.binary,
			pairedItem: { item: itemIndex },
		});
	}
	return outputs;
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

function itemResult<T>(
	plan: Outcome<ItemPlan>,
	results: Array<Outcome<T>>,
	show: ResultFields<T>,
): { fields: IDataObject; branch: Branch } {
	if (!plan.ok) {
		return { fields: errorFields(plan.failure, show.sent(null), show.failed), branch: 'error' };
	}
	const result = results[plan.value.taskIndex];
	if (result.ok) return show.success(result.value, plan.value.identifier);
	const sent = show.sent(plan.value.identifier);
	return { fields: errorFields(result.failure, sent, show.failed), branch: 'error' };
}

function errorFields(failure: Failure, sent: IDataObject, words: FailedItemWords): IDataObject {
	const { reason, message, httpStatus } = failure;
	// The hint says what to do; RyzeAPI's own message only says what happened.
	return {
		status: words.status,
		...sent,
		error: { reason, message, httpStatus, hint: words.hint(reason) },
	};
}
