/**
 * routeItems and outputLayout: which output each item leaves on, with which fields, without n8n's
 * engine. Every input item leaves exactly once, in input order, keeping its own fields.
 */
import fc from 'fast-check';
import type { INodeExecutionData } from 'n8n-workflow';

import type { Failure, Outcome } from '../../nodes/RyzeApi/shared/interfaces';
import { ERROR_REASONS } from '../../nodes/RyzeApi/shared/interfaces';
import type { ItemPlan, ResultFields, RoutedResult } from '../../nodes/RyzeApi/actions/routeItems';
import { failedItemWords } from '../../nodes/RyzeApi/actions/errorHints';
import { nodeOutputs } from '../../nodes/RyzeApi/actions/outputs';
import { outputLayout } from '../../nodes/RyzeApi/actions/outputs';
import { routeItems } from '../../nodes/RyzeApi/actions/routeItems';

/** The layout of a version 1.1 Join node, as execute computes it. */
const layoutOf = (settings: { separatePending: boolean; asAiTool: boolean; onError?: string }) =>
	outputLayout(
		nodeOutputs(
			{
				operation: 'join',
				pendingApprovalOutput: settings.separatePending ? 'separate' : 'success',
			},
			1.1,
		),
		settings.asAiTool,
		settings.onError,
		1.1,
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
			fc.constant({ ok: false as const, failure: { ...refused, reason: 'unauthorized' as const } }),
		);
		fc.assert(
			fc.property(
				fc.array(outcome, { minLength: 1, maxLength: 10 }),
				fc.array(fc.option(fc.nat(), { nil: undefined }), { maxLength: 40 }),
				fc.boolean(),
				fc.boolean(),
				fc.constantFrom(undefined, 'continueRegularOutput', 'continueErrorOutput'),
				(taskResults, picks, separatePending, asAiTool, onError) => {
					const planned: Array<Outcome<ItemPlan>> = picks.map((pick) =>
						pick === undefined
							? { ok: false, failure: refused }
							: { ok: true, value: { taskIndex: pick % taskResults.length, identifier: 'C' } },
					);
					const inputs = planned.map((_plan, row) => item({ row }));
					const layout = layoutOf({ separatePending, asAiTool, onError });
					const outputs = routeItems(inputs, planned, taskResults, show, layout);
					expect(outputs).toHaveLength(layout.count);
					const seen = outputs.flat().map((entry) => (entry.pairedItem as { item: number }).item);
					expect([...seen].sort((a, b) => a - b)).toEqual(inputs.map((_input, row) => row));
					for (const output of outputs) {
						const rows = output.map((entry) => (entry.pairedItem as { item: number }).item);
						expect(rows).toEqual([...rows].sort((a, b) => a - b));
					}
				},
			),
		);
	});
});

describe('what leaves on n8n\'s Error output (On Error = "Continue (using error output)")', () => {
	/** Whether one item with this failure is routed for n8n to move to its Error output. */
	const isSetupFailure = (failure: Failure, instanceGivenUp: boolean): boolean => {
		const [success, failed] = routeItems(
			[item({ row: 1 })],
			[{ ok: true, value: { taskIndex: 0, identifier: 'C' } }],
			[{ ok: false, failure, ...(instanceGivenUp ? { instanceGivenUp: true as const } : {}) }],
			show,
			layoutOf({ separatePending: false, asAiTool: false, onError: 'continueErrorOutput' }),
		);
		expect([success, failed]).toEqual([[], [expect.anything()]]);
		// n8n moves an item holding only error and message; a Failed item keeps the row's fields.
		const moved = Object.keys(failed[0].json).sort().join() === 'error,message';
		if (!moved) expect(failed[0].json).toMatchObject({ row: 1, status: 'failed' });
		return moved;
	};

	test.each(ERROR_REASONS.map((reason) => [reason]))(
		"%s: a failure of the node's setup only when it is unauthorized, or an instance given up on",
		(reason) => {
			const failure: Failure = { reason, message: 'm', httpStatus: null };
			expect(isSetupFailure(failure, false)).toBe(reason === 'unauthorized');
			expect(isSetupFailure(failure, true)).toBe(
				reason === 'unauthorized' || reason === 'instance_unavailable',
			);
		},
	);

	const fail = (
		reason: Failure['reason'],
		httpStatus: number | null,
		instanceGivenUp?: true,
	): RoutedResult<Value> => ({
		ok: false,
		failure: { reason, message: `${reason} message`, httpStatus },
		...(instanceGivenUp ? { instanceGivenUp } : {}),
	});
	const inputs = [1, 2, 3, 4, 5].map((row) => item({ row }));
	const plans: Array<Outcome<ItemPlan>> = [0, 1, 2, 3].map((taskIndex) => ({
		ok: true,
		value: { taskIndex, identifier: `C${taskIndex}` },
	}));
	// An unusable credential is found while reading, before any task.
	plans.push({
		ok: false,
		failure: { reason: 'unauthorized', message: 'No token', httpStatus: null },
	});
	const results = [
		fail('unauthorized', 401),
		fail('revoked_or_expired', 410),
		fail('instance_unavailable', 400, true),
		fail('instance_unavailable', 503),
	];
	const route = (onError?: string) =>
		routeItems(
			inputs,
			plans,
			results,
			show,
			layoutOf({ separatePending: false, asAiTool: false, onError }),
		);

	test('setup failures carry only error and message, as n8n moves them; per-item ones are unchanged', () => {
		const [success, failed] = route('continueErrorOutput');
		expect(success).toEqual([]);
		const json = failed.map((entry) => entry.json);
		expect(json[0]).toEqual({
			error: {
				reason: 'unauthorized',
				message: 'unauthorized message',
				httpStatus: 401,
				hint: 'Fix the credential: token, instance name or base URL.',
				code: 'C0',
			},
			message: 'unauthorized message',
		});
		expect(json[2]).toEqual({
			error: expect.objectContaining({ reason: 'instance_unavailable', code: 'C2' }),
			message: 'instance_unavailable message',
		});
		expect(json[4]).toEqual({
			error: expect.objectContaining({ reason: 'unauthorized', code: null }),
			message: 'No token',
		});
		// Per-item outcomes, and an instance not given up on: the Failed item, with the row's fields.
		expect(json[1]).toMatchObject({ row: 2, status: 'failed', code: 'C1' });
		expect(json[3]).toMatchObject({ row: 4, status: 'failed', code: 'C3' });
		expect(failed.map((entry) => entry.pairedItem)).toEqual(
			[0, 1, 2, 3, 4].map((index) => ({ item: index })),
		);
	});

	test.each([undefined, 'stopWorkflow', 'continueRegularOutput'])(
		'On Error = %s: every failure is a Failed item, as before',
		(onError) => {
			const [, failed] = route(onError);
			expect(failed.every((entry) => entry.json.status === 'failed' && 'row' in entry.json)).toBe(
				true,
			);
		},
	);
});

describe('as an AI tool', () => {
	test("the tool returns the result only: none of the chat item's fields, no binary", () => {
		const chat: INodeExecutionData = {
			json: { action: 'sendMessage', sessionId: 's', chatInput: 'join', toolCallId: 't' },
			binary: { data: { data: '', mimeType: 'text/plain' } },
		};
		const [only] = routeItems(
			[chat, chat],
			[
				{ ok: true, value: { taskIndex: 0, identifier: 'A' } },
				{ ok: false, failure: refused },
			],
			[{ ok: true, value: { pending: false } }],
			show,
			layoutOf({ separatePending: true, asAiTool: true, onError: 'continueErrorOutput' }),
		);
		expect(only).toEqual([
			{ json: { status: 'done', code: 'A' }, binary: undefined, pairedItem: { item: 0 } },
			{
				json: {
					status: 'failed',
					code: null,
					error: { ...refused, hint: 'Fix the row, or the expression in Identifier.' },
				},
				binary: undefined,
				pairedItem: { item: 1 },
			},
		]);
	});
});

describe('version 1 keeps what it had', () => {
	const version1Layout = (asAiTool: boolean, onError?: string) =>
		outputLayout(nodeOutputs({ operation: 'join' }, 1), asAiTool, onError, 1);

	test("under continueErrorOutput a refused token's items stay on Failed, with the row's fields", () => {
		const tokenRefused: Failure = {
			reason: 'unauthorized',
			message: 'Invalid token',
			httpStatus: 401,
		};
		const layout = version1Layout(false, 'continueErrorOutput');
		expect(layout.setupFailuresToN8nErrorOutput).toBe(false);
		const [, failed] = routeItems(
			[item({ row: 1 })],
			[{ ok: true, value: { taskIndex: 0, identifier: 'A' } }],
			[{ ok: false, failure: tokenRefused }],
			{ ...show, failed: failedItemWords('join', 1) },
			layout,
		);
		expect(failed.map((entry) => entry.json)).toEqual([
			expect.objectContaining({ row: 1, status: 'error', code: 'A' }),
		]);
	});

	test("as a tool its items keep the input's fields", () => {
		expect(version1Layout(true).keepInput).toBe(true);
		expect(
			outputLayout(nodeOutputs({ operation: 'join' }, 1.1), true, undefined, 1.1).keepInput,
		).toBe(false);
	});
});
