/**
 * routeItems and outputLayout: which output each item leaves on, with which fields, without n8n's
 * engine. Every input item leaves exactly once, in input order, keeping its own fields.
 */
import fc from 'fast-check';
import type { INodeExecutionData } from 'n8n-workflow';

import type { Failure, Outcome } from '../../nodes/RyzeApi/helpers/interfaces';
import type { ItemPlan, ResultFields } from '../../nodes/RyzeApi/helpers/routeItems';
import { failedItemWords } from '../../nodes/RyzeApi/helpers/errorHints';
import { nodeOutputs } from '../../nodes/RyzeApi/helpers/outputs';
import { outputLayout } from '../../nodes/RyzeApi/helpers/outputs';
import { routeItems } from '../../nodes/RyzeApi/helpers/routeItems';

/** The layout of a version 1.1 Join node, as execute computes it. */
const layoutOf = (settings: { separatePending: boolean; asAiTool: boolean }) =>
	outputLayout(
		nodeOutputs(
			{
				operation: 'join',
				pendingApprovalOutput: settings.separatePending ? 'separate' : 'success',
			},
			1.1,
		),
		settings.asAiTool,
	);

type Value = { pending: boolean };
const show: ResultFields<Value> = {
	success: (value, identifier) => ({
		fields: { status: value.pending ? 'pending' : 'done', code: identifier },
		branch: value.pending ? 'pendingApproval' : 'success',
	}),
	sent: (identifier) => ({ code: identifier }),
	failed: failedItemWords('join', 1.1),
};
const refused: Failure = { reason: 'invalid_identifier', message: 'not a link', httpStatus: null };
const item = (json: object): INodeExecutionData => ({ json: { ...json } });

describe('routeItems', () => {
	const items = [
		item({ row: 1 }),
		item({ row: 2 }),
		item({ row: 3, status: 'x' }),
		item({ row: 4 }),
	];
	const plans: Array<Outcome<ItemPlan>> = [
		{ ok: true, value: { taskIndex: 0, identifier: 'A' } },
		{ ok: false, failure: refused },
		{ ok: true, value: { taskIndex: 1, identifier: 'B' } },
		// A duplicate of the first item: the same task, the same answer.
		{ ok: true, value: { taskIndex: 0, identifier: 'A' } },
	];
	const results: Array<Outcome<Value>> = [
		{ ok: true, value: { pending: false } },
		{
			ok: false,
			failure: { reason: 'group_not_found', message: 'Group not found', httpStatus: 404 },
		},
	];

	test('success and error, each item with its own fields, the result added, in input order', () => {
		const [success, error] = routeItems(
			items,
			plans,
			results,
			show,
			layoutOf({ separatePending: false, asAiTool: false }),
		);
		expect(success).toEqual([
			{ json: { row: 1, status: 'done', code: 'A' }, binary: undefined, pairedItem: { item: 0 } },
			{ json: { row: 4, status: 'done', code: 'A' }, binary: undefined, pairedItem: { item: 3 } },
		]);
		expect(error.map((entry) => entry.json)).toEqual([
			{
				row: 2,
				status: 'failed',
				code: null,
				error: { ...refused, hint: 'Fix the row, or the expression in Identifier.' },
			},
			{
				row: 3,
				status: 'failed',
				code: 'B',
				error: {
					reason: 'group_not_found',
					message: 'Group not found',
					httpStatus: 404,
					hint: 'The code points at no group; check it, or ask the group for a new link.',
				},
			},
		]);
		expect(error.map((entry) => entry.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
	});

	test('a version 1 node keeps status "error" and the hints it had', () => {
		const [, error] = routeItems(
			items,
			plans,
			results,
			{ ...show, failed: failedItemWords('join', 1) },
			layoutOf({ separatePending: false, asAiTool: false }),
		);
		expect(
			error.map((entry) => [entry.json.status, (entry.json.error as { hint: string }).hint]),
		).toEqual([
			['error', 'Fix the row, or the expression in Identifier.'],
			[
				'error',
				'The code points at no group; check it. Preview a group you are not in by its link or code.',
			],
		]);
	});

	test('only reason, message, httpStatus and the hint of a failure reach the item', () => {
		const withExtra = { ...refused, token: 'secret' } as Failure;
		const [, error] = routeItems(
			[item({})],
			[{ ok: false, failure: withExtra }],
			[],
			show,
			layoutOf({ separatePending: false, asAiTool: false }),
		);
		expect(JSON.stringify(error)).not.toContain('secret');
	});

	test('as an AI tool every item is on the one output', () => {
		const outputs = routeItems(
			items,
			plans,
			results,
			show,
			layoutOf({ separatePending: true, asAiTool: true }),
		);
		expect(outputs).toHaveLength(1);
		expect(outputs[0].map((entry) => entry.pairedItem)).toEqual(
			[0, 1, 2, 3].map((i) => ({ item: i })),
		);
	});

	test('property: any plans and results put every item on exactly one output, once, in order', () => {
		const outcome = fc.oneof(
			fc.record({ ok: fc.constant(true as const), value: fc.record({ pending: fc.boolean() }) }),
			fc.constant({ ok: false as const, failure: refused }),
		);
		fc.assert(
			fc.property(
				fc.array(outcome, { minLength: 1, maxLength: 10 }),
				fc.array(fc.option(fc.nat(), { nil: undefined }), { maxLength: 40 }),
				fc.boolean(),
				fc.boolean(),
				(taskResults, picks, separatePending, asAiTool) => {
					const planned: Array<Outcome<ItemPlan>> = picks.map((pick) =>
						pick === undefined
							? { ok: false, failure: refused }
							: { ok: true, value: { taskIndex: pick % taskResults.length, identifier: 'C' } },
					);
					const inputs = planned.map((_plan, row) => item({ row }));
					const layout = layoutOf({ separatePending, asAiTool });
					const outputs = routeItems(inputs, planned, taskResults, show, layout);
					expect(outputs).toHaveLength(layout.count);
					const seen = outputs.flat().map((entry) => (entry.pairedItem as { item: number }).item);
					expect([...seen].sort((a, b) => a - b)).toEqual(inputs.map((_input, row) => row));
					for (const output of outputs) {
						const rows = output.map((entry) => entry.json.row as number);
						expect(rows).toEqual([...rows].sort((a, b) => a - b));
					}
				},
			),
		);
	});
});
