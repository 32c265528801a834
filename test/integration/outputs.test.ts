/**
 * In n8n's engine: an output keeps its index whatever the Pending Approval Output mode, so a
 * connection never starts receiving another kind of item; version 1 workflows keep version 1's
 * order; and with On Error = "Continue (using error output)" our Failed output and n8n's Error
 * output are two outputs with two names, each with what it says: the items' own outcomes on
 * Failed, what would have stopped the node (its credential, its instance) on n8n's Error.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import { ACCOUNT_TOKEN, INSTANCE_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import type { RunOptions } from '../support/engine';
import { runRyzeApiNode, shutDownEngine } from '../support/engine';
import { useEmulator } from '../support/useEmulator';

const emulator = useEmulator();
afterAll(shutDownEngine);

const rows = [
	{ row: 1, link: 'OpenAlpha' },
	{ row: 2, link: 'ApprovalBeta' },
	{ row: 3, link: 'RevokedGamma' },
	{ row: 4, link: 'not a link' },
	{ row: 5, link: 'OpenDelta' },
];

const join: INodeParameters = {
	resource: 'group',
	operation: 'join',
	identifier: '={{ $json.link }}',
	options: {},
};

async function run(parameters: INodeParameters, overrides: Partial<RunOptions> = {}) {
	const result = await runRyzeApiNode({
		nodeType: new RyzeApi(),
		items: rows,
		parameters: { ...join, ...parameters },
		credentials: { baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: ACCOUNT_TOKEN },
		...overrides,
	});
	expect(result.error).toBeUndefined();
	return result.outputs!;
}

const rowsOf = (items: INodeExecutionData[] | undefined) =>
	(items ?? []).map((item) => item.json.row);

describe('output indexes (version 1.1, the default)', () => {
	test('switching Pending Approval Output to Separate moves no kind of item to another index', async () => {
		const together = await run({ pendingApprovalOutput: 'success' });
		const separate = await run({ pendingApprovalOutput: 'separate' });
		// A node wired to output 1 receives the failures, and only them, in both modes.
		expect(rowsOf(together[1])).toEqual([3, 4]);
		expect(rowsOf(separate[1])).toEqual([3, 4]);
		// Output 0: joins (with the pending ones when they have no output of their own).
		expect(rowsOf(together[0])).toEqual([1, 2, 5]);
		expect(rowsOf(separate[0])).toEqual([1, 5]);
		// Output 2 exists only in Separate mode.
		expect(together).toHaveLength(2);
		expect(rowsOf(separate[2])).toEqual([2]);
		expect(separate[2][0].json.status).toBe('pending_approval');
		expect(separate[1].map((item) => item.json.status)).toEqual(['failed', 'failed']);
	});

	test('version 1 workflows (saved with 0.1.0) keep their order: Joined, Pending, Failed', async () => {
		const outputs = await run(
			{ options: { pendingApprovalOutput: 'separate' } },
			{ typeVersion: 1 },
		);
		expect(outputs.map(rowsOf)).toEqual([[1, 5], [2], [3, 4]]);
		// Version 1's words too: its failed items say "error", as they did.
		expect(outputs[2].map((item) => item.json.status)).toEqual(['error', 'error']);
		const together = await run({ options: {} }, { typeVersion: 1 });
		expect(together.map(rowsOf)).toEqual([
			[1, 2, 5],
			[3, 4],
		]);
	});
});

describe('On Error = "Continue (using error output)"', () => {
	test.each([
		['success', 2],
		['separate', 3],
	])(
		"Pending Approval Output = %s: n8n's Error output comes after ours; failed items stay on Failed, in input order",
		async (mode, ours) => {
			const outputs = await run(
				{ pendingApprovalOutput: mode },
				{ settings: { onError: 'continueErrorOutput' } },
			);
			expect(outputs).toHaveLength(ours + 1);
			expect(rowsOf(outputs[1])).toEqual([3, 4]);
			expect(outputs[1].map((item) => (item.json.error as IDataObject).reason)).toEqual([
				'revoked_or_expired',
				'invalid_identifier',
			]);
			// n8n's own output, after ours: the node never fails as a whole while n8n continues.
			expect(outputs[ours]).toEqual([]);
		},
	);
});

describe('On Error = "Continue (using error output)": the node\'s setup failing goes to n8n\'s Error output', () => {
	const links = [
		{ row: 1, link: 'OpenOne' },
		{ row: 2, link: 'OpenTwo' },
		{ row: 3, link: 'OpenThree' },
		{ row: 4, link: 'OpenFour' },
	];
	const account = () => ({
		baseUrl: emulator.url,
		instanceName: MAIN_INSTANCE,
		token: ACCOUNT_TOKEN,
	});

	async function runWith(credentials: RunOptions['credentials']) {
		const result = await runRyzeApiNode({
			nodeType: new RyzeApi(),
			items: links,
			parameters: { ...join, options: { maxTries: 1 } },
			credentials,
			settings: { onError: 'continueErrorOutput' },
		});
		expect(result.error).toBeUndefined();
		const outputs = result.outputs!;
		// Success, Failed, then n8n's Error (the last index): only the last has items.
		expect(outputs).toHaveLength(3);
		expect(outputs[0]).toEqual([]);
		expect(outputs[1]).toEqual([]);
		expect(outputs[2].map((item) => item.pairedItem)).toEqual(
			links.map((_link, index) => ({ item: index })),
		);
		return outputs[2];
	}

	test('a refused token (401): every item, with its row, a readable error and the code sent', async () => {
		const errors = await runWith({ ...account(), token: 'wrong-token' });
		expect(emulator.joinRequests()).toHaveLength(1);
		expect(errors[0].json).toEqual({
			row: 1,
			link: 'OpenOne',
			error: {
				reason: 'unauthorized',
				message: expect.any(String),
				httpStatus: 401,
				hint: 'Fix the credential: token, instance name or base URL.',
				inviteCode: 'OpenOne',
			},
			message: expect.any(String),
		});
		expect(errors[1].json.message).toMatch(/^Not sent: RyzeAPI refused the token/);
	});

	test('a token that may not act on the instance (403)', async () => {
		const errors = await runWith({ ...account(), instanceName: 'second', token: INSTANCE_TOKEN });
		expect(errors.map((item) => (item.json.error as IDataObject).reason)).toEqual(
			Array(4).fill('unauthorized'),
		);
		expect((errors[0].json.error as IDataObject).httpStatus).toBe(403);
	});

	test('a credential that cannot be used, before any request', async () => {
		const errors = await runWith({ ...account(), baseUrl: 'not a url' });
		expect(emulator.log).toHaveLength(0);
		expect(errors.map((item) => (item.json.error as IDataObject).reason)).toEqual(
			Array(4).fill('unauthorized'),
		);
	});

	test('an instance the node gave up on: the answered items and those not sent', async () => {
		const errors = await runWith({ ...account(), instanceName: 'offline' });
		expect(emulator.joinRequests()).toHaveLength(3);
		expect(errors.map((item) => (item.json.error as IDataObject).reason)).toEqual(
			Array(4).fill('instance_unavailable'),
		);
		expect(errors[3].json.message).toMatch(/^Not sent: instance "offline"/);
	});
});
