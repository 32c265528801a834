/**
 * The Join Group node inside n8n's real execution engine, against the emulator: outputs, item
 * fields, pairedItem, n8n's error settings, and what a refused token does to the rest.
 */
import type { IDataObject, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';

import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import { ACCOUNT_TOKEN, INSTANCE_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import type { RunOptions } from '../support/engine';
import { runNode, runRyzeApiNode, shutDownEngine } from '../support/engine';
import { useEmulator } from '../support/useEmulator';

const TOKEN = ACCOUNT_TOKEN;

const emulator = useEmulator();
afterAll(shutDownEngine);

const joinByLink: INodeParameters = {
	resource: 'group',
	operation: 'join',
	identifier: '={{ $json.link }}',
	options: {},
};

async function run(items: IDataObject[], overrides: Partial<RunOptions> = {}) {
	return await runRyzeApiNode({
		nodeType: new RyzeApi(),
		items,
		parameters: joinByLink,
		credentials: { baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: TOKEN },
		...overrides,
	});
}

function jsonOf(items: INodeExecutionData[] | undefined): IDataObject[] {
	return (items ?? []).map((item) => item.json);
}

/** Every input index appears exactly once across all outputs. */
function expectEveryItemOnce(outputs: INodeExecutionData[][] | undefined, inputCount: number) {
	const indexes = (outputs ?? []).flat().map((item) => (item.pairedItem as { item: number }).item);
	expect(indexes.sort((a, b) => a - b)).toEqual([...Array(inputCount).keys()]);
}

describe('routing and item fields', () => {
	const rows = [
		{ row: 1, link: 'https://chat.whatsapp.com/OpenAlpha' },
		{ row: 2, link: '  "chat.whatsapp.com/invite/ApprovalBeta/"  ' },
		{ row: 3, link: '120363406289005073@g.us' },
		{ row: 4, link: 'RevokedGamma' },
		{ row: 5, link: 'Join us: https://CHAT.whatsapp.com/OpenDelta?mode=ems !' },
		{ row: 6, link: 'ForbiddenEps' },
		{ row: 7, link: 'MissingZeta' },
		{ row: 8, link: '' },
	];

	test('joined and pending go to Success, everything else to Failed (status "failed"), each with its reason', async () => {
		const result = await run(rows);
		expect(result.error).toBeUndefined();
		expect(result.outputs).toHaveLength(2);
		const [success, failure] = result.outputs!;

		expect(jsonOf(success)).toEqual([
			{
				row: 1,
				link: rows[0].link,
				status: 'joined',
				groupJid: expect.stringMatching(/@g\.us$/),
				requiresApproval: false,
				inviteCode: 'OpenAlpha',
				message: 'Successfully joined the group',
			},
			{
				row: 2,
				link: rows[1].link,
				status: 'pending_approval',
				groupJid: expect.stringMatching(/@g\.us$/),
				requiresApproval: true,
				inviteCode: 'ApprovalBeta',
				message: 'Join request sent successfully. Waiting for admin approval.',
			},
			expect.objectContaining({ row: 5, status: 'joined', inviteCode: 'OpenDelta' }),
		]);
		expect(success.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 4 }]);

		expect(jsonOf(failure)).toEqual([
			{
				row: 3,
				link: rows[2].link,
				status: 'failed',
				// Never sent: null, so every Failed item has the same columns.
				inviteCode: null,
				error: {
					reason: 'invalid_identifier',
					message: expect.stringMatching(/JID/),
					httpStatus: null,
					hint: 'Fix the row, or the expression in Identifier.',
				},
			},
			{
				row: 4,
				link: 'RevokedGamma',
				status: 'failed',
				inviteCode: 'RevokedGamma',
				error: {
					reason: 'revoked_or_expired',
					message: 'Invite link has been revoked or expired',
					httpStatus: 400,
					hint: 'Ask the group for a new link.',
				},
			},
			expect.objectContaining({
				row: 6,
				inviteCode: 'ForbiddenEps',
				error: {
					reason: 'not_allowed',
					message: 'Not allowed to join this group',
					httpStatus: 403,
					hint: 'The group does not let this number join.',
				},
			}),
			expect.objectContaining({
				row: 7,
				inviteCode: 'MissingZeta',
				error: {
					reason: 'group_not_found',
					message: 'Group not found',
					httpStatus: 404,
					hint: 'The code points at no group; check it, or ask the group for a new link.',
				},
			}),
			expect.objectContaining({
				row: 8,
				inviteCode: null,
				error: expect.objectContaining({ reason: 'invalid_identifier', httpStatus: null }),
			}),
		]);
		expect(failure.map((item) => item.pairedItem)).toEqual([
			{ item: 2 },
			{ item: 3 },
			{ item: 5 },
			{ item: 6 },
			{ item: 7 },
		]);
		expectEveryItemOnce(result.outputs, rows.length);
	});

	test('refused identifiers cost no request; the normalised code is what is sent', async () => {
		await run(rows);
		// Sorted: requests in flight together may reach the emulator in any order.
		expect(
			emulator
				.joinRequests()
				.map((request) => request.identifier)
				.sort(),
		).toEqual(
			[
				'OpenAlpha',
				'ApprovalBeta',
				'RevokedGamma',
				'OpenDelta',
				'ForbiddenEps',
				'MissingZeta',
			].sort(),
		);
	});

	test('Pending Approval Output = separate gives three outputs: Success, Failed, Pending', async () => {
		const result = await run(rows, {
			parameters: { ...joinByLink, pendingApprovalOutput: 'separate' },
		});
		expect(result.outputs).toHaveLength(3);
		const [success, failure, pending] = result.outputs!;
		expect(jsonOf(success).map((json) => json.row)).toEqual([1, 5]);
		expect(jsonOf(failure).map((json) => json.row)).toEqual([3, 4, 6, 7, 8]);
		expect(jsonOf(pending).map((json) => json.row)).toEqual([2]);
		expectEveryItemOnce(result.outputs, rows.length);
	});

	test('used as an AI agent tool, every item comes out on the one output an agent reads, in input order', async () => {
		// n8n runs a node used as a tool under its type name + "Tool" and hands the agent only output 0.
		const result = await runNode({
			nodeType: new RyzeApi(),
			typeName: 'n8n-nodes-ryzeapi.ryzeApiTool',
			typeVersion: 1.1,
			items: rows,
			parameters: { ...joinByLink, pendingApprovalOutput: 'separate' },
			credentials: {
				ryzeApi: { baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: TOKEN },
			},
		});
		expect(result.error).toBeUndefined();
		expect(result.outputs).toHaveLength(1);
		const [only] = result.outputs!;
		expect(only.map((item) => [item.pairedItem, item.json.status])).toEqual([
			[{ item: 0 }, 'joined'],
			[{ item: 1 }, 'pending_approval'],
			[{ item: 2 }, 'failed'],
			[{ item: 3 }, 'failed'],
			[{ item: 4 }, 'joined'],
			[{ item: 5 }, 'failed'],
			[{ item: 6 }, 'failed'],
			[{ item: 7 }, 'failed'],
		]);
		expect((jsonOf(only)[3].error as IDataObject).reason).toBe('revoked_or_expired');
		// The result only: the input item's fields (the chat's, for an agent) are not returned.
		expect(jsonOf(only).some((json) => 'row' in json || 'link' in json)).toBe(false);
		expectEveryItemOnce(result.outputs, rows.length);
	});

	test('an identifier that is not text is read or refused per item, never crashing the node', async () => {
		const result = await run(
			[
				{ code: 'OpenNumberless' },
				{ code: 12345678901234568 },
				{ code: { nested: true } },
				{ code: ['OpenA'] },
				{ code: null },
				{ code: true },
			],
			{ parameters: { ...joinByLink, identifier: '={{ $json.code }}' } },
		);
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.outputs![0]).map((json) => json.inviteCode)).toEqual(['OpenNumberless']);
		expect(jsonOf(result.outputs![1]).map((json) => (json.error as IDataObject).reason)).toEqual(
			Array(5).fill('invalid_identifier'),
		);
		expect(emulator.joinRequests()).toHaveLength(1);
	});

	test('an expression that fails for one item sends that item to Error and goes on', async () => {
		const result = await run([{ link: 'OpenOne' }, { other: 1 }, { link: 'OpenThree' }], {
			parameters: { ...joinByLink, identifier: '={{ $json.link.trim() }}' },
		});
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.outputs![0]).map((json) => json.inviteCode)).toEqual([
			'OpenOne',
			'OpenThree',
		]);
		expect(result.outputs![1]).toHaveLength(1);
		expect(result.outputs![1][0].pairedItem).toEqual({ item: 1 });
		expect(result.outputs![1][0].json.error).toMatchObject({
			reason: 'invalid_identifier',
			httpStatus: null,
		});
	});

	test('the Instance Name option overrides the credential, per item', async () => {
		const result = await run(
			[
				{ link: 'OpenA', instance: 'second' },
				{ link: 'OpenB', instance: '' },
			],
			{
				parameters: { ...joinByLink, options: { instanceName: '={{ $json.instance }}' } },
			},
		);
		expect(result.outputs![0]).toHaveLength(2);
		expect(emulator.joinRequests().map((request) => request.instance)).toEqual([
			'second',
			MAIN_INSTANCE,
		]);
	});

	test('an empty input produces empty outputs and no request', async () => {
		const result = await run([]);
		expect(result.error).toBeUndefined();
		expect(emulator.log).toHaveLength(0);
	});
});

describe('a refused token is a problem of the node, not of a row', () => {
	const rows = [{ link: 'OpenA' }, { link: 'OpenB' }, { link: 'bad link here' }, { link: 'OpenC' }];
	const badToken = { baseUrl: '', instanceName: MAIN_INSTANCE, token: 'wrong-token-SECRET' };

	test('without continue-on-fail the node fails with a clear API error after one request', async () => {
		const result = await run(rows, { credentials: { ...badToken, baseUrl: emulator.url } });
		expect(result.outputs).toBeUndefined();
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.message).toMatch(/refused the credential: Invalid token/);
		expect(result.error?.description).toMatch(/token and instance name/);
		expect(emulator.joinRequests()).toHaveLength(1);
		expect(JSON.stringify(result.run)).not.toContain('SECRET');
	});

	test('Tries Per Request never sends a refused token again, even at its most', async () => {
		const result = await run([{ link: 'OpenA' }], {
			credentials: { ...badToken, baseUrl: emulator.url },
			parameters: { ...joinByLink, options: { triesPerRequest: 10, retryWaitSeconds: 0 } },
		});
		expect(result.error?.message).toMatch(/refused the credential/);
		expect(emulator.joinRequests()).toHaveLength(1);
	});

	test("n8n's Retry On Fail runs the node again, but a refused token is not sent again", async () => {
		const result = await run([{ link: 'OpenA' }, { link: 'OpenB' }], {
			credentials: { ...badToken, baseUrl: emulator.url },
			settings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 },
		});
		expect(result.error?.message).toMatch(/refused the credential: Invalid token/);
		expect(emulator.joinRequests()).toHaveLength(1);
	});

	test('another execution with the same refused token asks again: the token may have been fixed', async () => {
		const options = { credentials: { ...badToken, baseUrl: emulator.url } };
		await run([{ link: 'OpenA' }], options);
		await run([{ link: 'OpenA' }], options);
		expect(emulator.joinRequests()).toHaveLength(2);
	});

	test.each(['continueRegularOutput'] as const)(
		'with On Error = %s every remaining item goes to Failed as unauthorized, and no further request is made',
		async (onError) => {
			const result = await run(rows, {
				credentials: { ...badToken, baseUrl: emulator.url },
				settings: { onError },
			});
			expect(result.error).toBeUndefined();
			expect(emulator.joinRequests()).toHaveLength(1);
			const failure = result.outputs![1];
			expect(jsonOf(failure).map((json) => (json.error as IDataObject).reason)).toEqual([
				'unauthorized',
				'unauthorized',
				'invalid_identifier',
				'unauthorized',
			]);
			expect((failure[1].json.error as IDataObject).message).toMatch(
				/^Not sent: RyzeAPI refused the token/,
			);
			expectEveryItemOnce(result.outputs, rows.length);
			expect(JSON.stringify(result.outputs)).not.toContain('SECRET');
		},
	);

	test("with On Error = continueErrorOutput the token's items go to n8n's Error output; a bad row stays on Failed", async () => {
		const result = await run(rows, {
			credentials: { ...badToken, baseUrl: emulator.url },
			settings: { onError: 'continueErrorOutput' },
		});
		expect(result.error).toBeUndefined();
		expect(emulator.joinRequests()).toHaveLength(1);
		// Success, Failed, then n8n's Error: the last index.
		expect(result.outputs).toHaveLength(3);
		const [success, failed, n8nError] = result.outputs!;
		expect(success).toEqual([]);
		expect(n8nError.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 3 },
		]);
		expect(jsonOf(n8nError).map((json) => (json.error as IDataObject).reason)).toEqual(
			Array(3).fill('unauthorized'),
		);
		// The link is wrong whatever the token: the row's own outcome.
		expect(jsonOf(failed).map((json) => (json.error as IDataObject).reason)).toEqual([
			'invalid_identifier',
		]);
		expectEveryItemOnce(result.outputs, rows.length);
		expect(JSON.stringify(result.outputs)).not.toContain('SECRET');
	});

	test('a token that may not act on the instance (403) stops the calls too', async () => {
		const result = await run(rows, {
			credentials: { baseUrl: emulator.url, instanceName: 'second', token: INSTANCE_TOKEN },
			settings: { onError: 'continueRegularOutput' },
		});
		expect(emulator.joinRequests()).toHaveLength(1);
		expect((result.outputs![1][0].json.error as IDataObject).httpStatus).toBe(403);
	});

	test.each([
		[{ baseUrl: 'ftp://ryzeapi.cloud' }, /must start with https:\/\//],
		[{ baseUrl: 'https://user:pass@ryzeapi.cloud' }, /user name or password/],
		[{ token: '' }, /no token/],
		[{ instanceName: '' }, /No instance name/],
	])(
		'a credential that cannot be used (%j) fails the node before any request',
		async (broken, message) => {
			const result = await run(rows, {
				credentials: {
					baseUrl: emulator.url,
					instanceName: MAIN_INSTANCE,
					token: TOKEN,
					...broken,
				},
			});
			expect(result.error?.message).toMatch(message);
			expect(emulator.log).toHaveLength(0);
		},
	);

	test('an instance missing for a later item fails the node, and nothing after it is sent', async () => {
		const result = await run(
			[
				{ link: 'OpenA', instance: 'main' },
				{ link: 'OpenB', instance: '' },
				{ link: 'OpenC', instance: 'main' },
			],
			{
				credentials: { baseUrl: emulator.url, instanceName: '', token: TOKEN },
				parameters: { ...joinByLink, options: { instanceName: '={{ $json.instance }}' } },
			},
		);
		expect(result.error?.message).toMatch(/No instance name/);
		expect(emulator.joinRequests().map((request) => request.identifier)).not.toContain('OpenC');
	});

	test('with continue-on-fail, an unusable credential sends every item to Error as unauthorized', async () => {
		const result = await run(rows, {
			credentials: { baseUrl: 'not a url', instanceName: MAIN_INSTANCE, token: TOKEN },
			settings: { onError: 'continueRegularOutput' },
		});
		expect(result.outputs![0]).toHaveLength(0);
		expect(jsonOf(result.outputs![1]).map((json) => (json.error as IDataObject).reason)).toEqual(
			Array(4).fill('unauthorized'),
		);
		expect(emulator.log).toHaveLength(0);
	});
});

describe('options that cannot be used', () => {
	const rows = [{ link: 'OpenA' }, { link: 'OpenB' }];

	test.each([
		[
			{ minDelaySeconds: 3, maxDelaySeconds: 1 },
			/^Min Delay \(3 s\) is more than Max Delay \(1 s\)/,
		],
		[{ timeoutSeconds: 0.2 }, /^Request Timeout \(Seconds\) .* from 1 to 600; it is 0\.2\.$/],
	])('version 1.1 refuses %j before any request, naming the values', async (options, message) => {
		const result = await run(rows, { parameters: { ...joinByLink, options } });
		expect(result.outputs).toBeUndefined();
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.message).toMatch(message);
		expect(emulator.joinRequests()).toHaveLength(0);
	});

	test('version 1 keeps its corrections: Min above Max Delay is swapped, a low Timeout raised', async () => {
		const result = await run(rows, {
			typeVersion: 1,
			parameters: { ...joinByLink, options: { minDelay: 0.02, maxDelay: 0.01, timeout: 5 } },
		});
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.outputs![0]).map((json) => json.status)).toEqual(['joined', 'joined']);
	});
});

describe('stopping the execution', () => {
	test("a request waiting on the API ends when the user stops the execution (n8n's cancel signal)", async () => {
		emulator.queueFault('hang');
		// The Timeout option is far past jest's own: only the cancel can end this run in time.
		const result = await run([{ link: 'OpenHanging' }, { link: 'OpenNever' }], {
			parameters: { ...joinByLink, options: { timeoutSeconds: 600 } },
			onStart: (execution) => setTimeout(() => execution.cancel(), 200),
		});
		expect(result.status).toBe('canceled');
		expect(emulator.joinRequests().map((request) => request.identifier)).toEqual(['OpenHanging']);
	});
});

describe('the package as built', () => {
	test('the compiled node from dist/ runs in the engine like the source', async () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { RyzeApi: BuiltRyzeApi } = require('../../dist/nodes/RyzeApi/RyzeApi.node') as {
			RyzeApi: new () => INodeType;
		};
		const result = await run([{ link: 'OpenBuilt' }, { link: 'wa.me/5511999999999' }], {
			nodeType: new BuiltRyzeApi(),
		});
		expect(jsonOf(result.outputs![0]).map((json) => json.status)).toEqual(['joined']);
		expect(jsonOf(result.outputs![1]).map((json) => (json.error as IDataObject).reason)).toEqual([
			'invalid_identifier',
		]);
	});
});
