/**
 * Which output each item leaves on, and with which fields: pure, from what was read of the items
 * and what the runner answered. Every input item leaves exactly once, in input order, keeping its
 * own fields and binary data, with pairedItem pointing at it.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { ERROR_HINTS } from './errorHints';
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
			json: { ...input.json, ...fields },
			binary: input.binary,
			pairedItem: { item: itemIndex },
		});
	}
	return outputs;
}

function itemResult<T>(
	plan: Outcome<ItemPlan>,
	results: Array<Outcome<T>>,
	show: ResultFields<T>,
): { fields: IDataObject; branch: Branch } {
	if (!plan.ok) return { fields: errorFields(plan.failure, show.sent(null)), branch: 'error' };
	const result = results[plan.value.taskIndex];
	if (result.ok) return show.success(result.value, plan.value.identifier);
	return { fields: errorFields(result.failure, show.sent(plan.value.identifier)), branch: 'error' };
}

function errorFields(failure: Failure, sent: IDataObject): IDataObject {
	const { reason, message, httpStatus } = failure;
	// The hint says what to do; RyzeAPI's own message only says what happened.
	return {
		status: 'error',
		...sent,
		error: { reason, message, httpStatus, hint: ERROR_HINTS[reason] },
	};
}
