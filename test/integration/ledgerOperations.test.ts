/**
 * Get Many Groups, Leave Group 1.2 and the Join Ledger resource (Get Many Records, Get Status,
 * Resume Joins) in n8n's engine: against the emulator, and against a tiny list server for the
 * list's other shapes (the provider does not publish its list answer).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import { ACCOUNT_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import { groupJidOf } from '../support/emulator/groups';
import type { RunOptions, RunResult } from '../support/engine';
import { NODE_TYPE, runNode, runRyzeApiNode, shutDownEngine } from '../support/engine';
import { UNPACED_JOIN_OPTIONS } from '../support/ledgerRuns';
import { closeServer, listenOnLoopback, originOf } from '../support/loopbackServer';
import { useEmulator } from '../support/useEmulator';

const emulator = useEmulator();
afterAll(shutDownEngine);

interface NodeRun {
	items?: IDataObject[];
	typeVersion?: number;
	baseUrl?: string;
	settings?: RunOptions['settings'];
}

async function run(parameters: INodeParameters, options: NodeRun = {}): Promise<RunResult> {
	return await runRyzeApiNode({
		nodeType: new RyzeApi(),
		items: options.items ?? [{}],
		typeVersion: options.typeVersion ?? 1.2,
		parameters,
		credentials: {
			baseUrl: options.baseUrl ?? emulator.url,
			instanceName: MAIN_INSTANCE,
			token: ACCOUNT_TOKEN,
		},
		settings: options.settings,
	});
}

function jsonOf(items: INodeExecutionData[] | undefined): IDataObject[] {
	return (items ?? []).map((item) => item.json);
}

function pairedOf(items: INodeExecutionData[] | undefined): number[] {
	return (items ?? []).map((item) => (item.pairedItem as { item: number }).item);
}

async function joinCodes(...codes: string[]): Promise<IDataObject[]> {
	const result = await run(
		{
			resource: 'group',
			operation: 'join',
			identifier: '={{ $json.code }}',
			options: UNPACED_JOIN_OPTIONS,
		},
		{ items: codes.map((code) => ({ code })) },
	);
	expect(result.error).toBeUndefined();
	return jsonOf(result.outputs?.[0]);
}

async function leave(identifiers: string[], typeVersion = 1.2): Promise<RunResult> {
	return await run(
		{ resource: 'group', operation: 'leave', identifier: '={{ $json.id }}', options: {} },
		{ items: identifiers.map((id) => ({ id })), typeVersion },
	);
}

async function records(parameters: INodeParameters = { returnAll: true }): Promise<IDataObject[]> {
	const result = await run({ resource: 'ledger', operation: 'getRecords', ...parameters });
	expect(result.error).toBeUndefined();
	return jsonOf(result.outputs?.[0]);
}

async function status(instanceName?: string): Promise<IDataObject> {
	const result = await run({
		resource: 'ledger',
		operation: 'getStatus',
		...(instanceName ? { options: { instanceName } } : {}),
	});
	expect(result.error).toBeUndefined();
	return jsonOf(result.outputs?.[0])[0];
}

const listRequests = (log = emulator.log) =>
	log.filter((entry) => entry.method === 'GET' && entry.path.startsWith('/api/group/list/'));

describe('Get Many Groups', () => {
	const getMany = (more: INodeParameters = {}): INodeParameters => ({
		resource: 'group',
		operation: 'getMany',
		returnAll: true,
		options: {},
		...more,
	});

	test('one item per group the instance is in, with the fields the list gave, paired with the input', async () => {
		emulator.addGroups(MAIN_INSTANCE, ['OpenG1', 'OpenG2', 'OpenG3']);
		const result = await run(getMany());

		expect(result.error).toBeUndefined();
		expect(result.outputs).toHaveLength(2);
		const groups = jsonOf(result.outputs?.[0]);
		expect(groups.map((group) => group.inviteCode).sort()).toEqual(['OpenG1', 'OpenG2', 'OpenG3']);
		expect(groups.find((group) => group.inviteCode === 'OpenG1')).toEqual({
			groupJid: groupJidOf('OpenG1'),
			groupName: 'Group OpenG1',
			groupDescription: 'An emulated group (open)',
			participantCount: 6,
			inviteCode: 'OpenG1',
			inviteLink: 'https://chat.whatsapp.com/OpenG1',
			groupCreatedBy: '5511999999999@s.whatsapp.net',
			groupCreatedAt: '2026-01-15T10:00:00Z',
			isCommunity: null,
		});
		expect(pairedOf(result.outputs?.[0])).toEqual([0, 0, 0]);
		expect(result.outputs?.[1]).toEqual([]);
		expect(JSON.stringify(result.outputs)).not.toContain(ACCOUNT_TOKEN);
	});

	test('a group joined through the node is listed; none yet: no item, no failure', async () => {
		const empty = await run(getMany());
		expect(empty.outputs?.map((output) => output.length)).toEqual([0, 0]);

		await joinCodes('OpenG4');
		const after = await run(getMany());
		expect(jsonOf(after.outputs?.[0]).map((group) => group.groupJid)).toEqual([
			groupJidOf('OpenG4'),
		]);
	});

	test('Limit: at most that many per input item; Return All: every one', async () => {
		const codes = Array.from({ length: 7 }, (_, index) => `OpenM${index}`);
		emulator.addGroups(MAIN_INSTANCE, codes);

		const limited = await run(getMany({ returnAll: false, limit: 3 }));
		expect(limited.outputs?.[0]).toHaveLength(3);
		const all = await run(getMany());
		expect(all.outputs?.[0]).toHaveLength(7);
	});

	test('input items of one instance share one request; each gets every group', async () => {
		emulator.addGroups(MAIN_INSTANCE, ['OpenS1', 'OpenS2']);
		emulator.addGroups('second', ['OpenS3']);
		const result = await run(getMany({ options: { instanceName: '={{ $json.instance }}' } }), {
			items: [{ instance: MAIN_INSTANCE }, { instance: 'second' }, { instance: MAIN_INSTANCE }],
		});

		expect(listRequests().map((entry) => entry.instance)).toEqual([MAIN_INSTANCE, 'second']);
		expect(pairedOf(result.outputs?.[0])).toEqual([0, 0, 1, 2, 2]);
		expect(jsonOf(result.outputs?.[0])[2].inviteCode).toBe('OpenS3');
	});

	test('an instance not connected: the input item leaves on Failed, saying so', async () => {
		emulator.setInstanceState(MAIN_INSTANCE, 'disconnected');
		const result = await run(getMany());
		expect(result.outputs?.[0]).toEqual([]);
		expect(jsonOf(result.outputs?.[1])).toEqual([
			expect.objectContaining({
				status: 'failed',
				error: expect.objectContaining({ reason: 'instance_unavailable' }),
			}),
		]);
	});

	describe('the list in other shapes (a list server on loopback)', () => {
		let server: Server | undefined;
		let body: unknown;
		const received: string[] = [];

		beforeAll(async () => {
			server = await listenOnLoopback((req: IncomingMessage, res: ServerResponse) => {
				received.push(`${req.method} ${req.url}`);
				res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
				req.resume();
			});
		});
		afterAll(async () => await closeServer(server));
		beforeEach(() => {
			received.length = 0;
		});

		const entries = [
			{ id: '120363400000000001@g.us', subject: 'By id' },
			{ groupJid: '120363400000000002@G.US', name: 'By groupJid' },
			{ jid: '5511999999999@s.whatsapp.net', name: 'A person, skipped' },
		];

		test.each([
			['data', { success: true, data: entries }],
			['data.groups', { success: true, data: { groups: entries } }],
			['groups', { success: true, groups: entries }],
		])('under %s: one item per group, absent fields null', async (_where, answer) => {
			body = answer;
			const result = await run(getMany(), {
				baseUrl: originOf(server, 'The list server'),
				items: [{}, {}],
			});
			expect(received).toEqual([`GET /api/group/list/${MAIN_INSTANCE}`]);
			const groups = jsonOf(result.outputs?.[0]);
			expect(groups.slice(0, 2)).toEqual([
				expect.objectContaining({
					groupJid: '120363400000000001@g.us',
					groupName: 'By id',
					inviteCode: null,
					participantCount: null,
				}),
				expect.objectContaining({
					groupJid: '120363400000000002@g.us',
					groupName: 'By groupJid',
				}),
			]);
			expect(pairedOf(result.outputs?.[0])).toEqual([0, 0, 1, 1]);
		});

		test('a success with no list: Failed with server_error, nothing invented', async () => {
			body = { success: true, message: 'ok' };
			const result = await run(getMany(), { baseUrl: originOf(server, 'The list server') });
			expect(result.outputs?.[0]).toEqual([]);
			expect(jsonOf(result.outputs?.[1])).toEqual([
				expect.objectContaining({
					error: expect.objectContaining({ reason: 'server_error', httpStatus: 200 }),
				}),
			]);
		});
	});
});

describe('Leave Group 1.2 and the ledger', () => {
	test('marks the records of groups left, by JID or by code; a code left is joined again on request', async () => {
		const joined = await joinCodes('OpenL1', 'OpenL2', 'OpenL3');
		const jidOfL1 = joined.find((item) => item.code === 'OpenL1')?.groupJid as string;

		const left = await leave([jidOfL1, 'OpenL2']);
		expect(jsonOf(left.outputs?.[0]).map((item) => item.status)).toEqual(['left', 'left']);

		const byCode = Object.fromEntries(
			(await records()).map((record) => [record.inviteCode, record]),
		);
		expect(byCode.OpenL1).toMatchObject({ status: 'left', groupJid: jidOfL1, reason: null });
		expect(byCode.OpenL2).toMatchObject({ status: 'left' });
		expect(byCode.OpenL3).toMatchObject({ status: 'joined' });
		expect(Date.parse(byCode.OpenL1.resolvedAt as string)).toBeGreaterThanOrEqual(
			Date.parse(byCode.OpenL1.requestedAt as string),
		);

		const again = await joinCodes('OpenL1', 'OpenL3');
		expect(again.map((item) => [item.code, item.fromLedger])).toEqual([
			['OpenL1', false],
			['OpenL3', true],
		]);
	});

	test('a leave that failed (not a member) marks nothing', async () => {
		await joinCodes('OpenL4');
		emulator.removeFromGroup(MAIN_INSTANCE, 'OpenL4');
		const result = await leave(['OpenL4']);
		expect(jsonOf(result.outputs?.[1])).toEqual([
			expect.objectContaining({ error: expect.objectContaining({ reason: 'not_a_member' }) }),
		]);
		expect((await records())[0]).toMatchObject({ inviteCode: 'OpenL4', status: 'joined' });
	});

	test('a ledger that cannot be used: Leave 1.2 sends nothing; it fails the node, or with Continue every item', async () => {
		await joinCodes('OpenL6');
		const userFolder = process.env.N8N_USER_FOLDER;
		const notAFolder = joinPath(mkdtempSync(joinPath(tmpdir(), 'ryzeapi-ledger-')), 'a-file');
		writeFileSync(notAFolder, '');
		process.env.N8N_USER_FOLDER = notAFolder;
		try {
			const items = [{ id: 'OpenL6' }];
			const stopped = await run(
				{ resource: 'group', operation: 'leave', identifier: '={{ $json.id }}', options: {} },
				{ items },
			);
			expect(stopped.status).toBe('error');
			expect(stopped.error?.message).toMatch(/N8N_USER_FOLDER/);

			const continued = await run(
				{ resource: 'group', operation: 'leave', identifier: '={{ $json.id }}', options: {} },
				{ items, settings: { onError: 'continueRegularOutput' } },
			);
			expect(continued.outputs?.[0]).toEqual([]);
			expect(jsonOf(continued.outputs?.[1])).toEqual([
				expect.objectContaining({
					status: 'failed',
					error: expect.objectContaining({ reason: 'ledger_unavailable' }),
				}),
			]);
		} finally {
			process.env.N8N_USER_FOLDER = userFolder;
		}
		expect(emulator.log.filter((entry) => entry.path.startsWith('/api/group/leave/'))).toEqual([]);
		expect(emulator.isMember(MAIN_INSTANCE, 'OpenL6')).toBe(true);
	});

	test('Leave 1.1 leaves the ledger alone', async () => {
		await joinCodes('OpenL5');
		const result = await leave(['OpenL5'], 1.1);
		expect(jsonOf(result.outputs?.[0])).toEqual([expect.objectContaining({ status: 'left' })]);
		expect((await records())[0]).toMatchObject({ inviteCode: 'OpenL5', status: 'joined' });
	});
});

describe('the Join Ledger resource', () => {
	test('a wrong Instance Name fails the item as the credential’s matter (unauthorized), not the ledger’s', async () => {
		const parameters = {
			resource: 'ledger',
			operation: 'getStatus',
			options: { instanceName: 'bad\u0001name' },
		};
		const stopped = await run(parameters);
		expect(stopped.status).toBe('error');
		expect(stopped.error?.message).toMatch(/control characters/);
		const continued = await run(parameters, { settings: { onError: 'continueRegularOutput' } });
		expect(jsonOf(continued.outputs?.[1])).toEqual([
			{
				status: 'failed',
				error: { reason: 'unauthorized', message: expect.stringMatching(/control characters/) },
			},
		]);
	});

	test('Get Many Records: newest first; Statuses filter; Limit', async () => {
		await joinCodes('OpenQ1');
		await joinCodes('ApprovalQ2');
		await joinCodes('RevokedQ3');
		await joinCodes('OpenQ4');

		const all = await records();
		expect(all.map((record) => record.inviteCode)).toEqual([
			'OpenQ4',
			'RevokedQ3',
			'ApprovalQ2',
			'OpenQ1',
		]);
		expect(all[1]).toEqual({
			instance: MAIN_INSTANCE,
			inviteCode: 'RevokedQ3',
			status: 'failed',
			groupJid: null,
			reason: 'revoked_or_expired',
			requestedAt: expect.stringMatching(/Z$/),
			resolvedAt: expect.stringMatching(/Z$/),
		});
		expect(JSON.stringify(all)).not.toContain(ACCOUNT_TOKEN);

		const joinedOrPending = await records({
			returnAll: true,
			statuses: ['joined', 'pending_approval'],
		});
		expect(joinedOrPending.map((record) => record.inviteCode)).toEqual([
			'OpenQ4',
			'ApprovalQ2',
			'OpenQ1',
		]);
		const two = await records({ returnAll: false, limit: 2 });
		expect(two.map((record) => record.inviteCode)).toEqual(['OpenQ4', 'RevokedQ3']);
	});

	test('Get Status: joins of the last hour and day, records by status, no pause, where the ledger is', async () => {
		await joinCodes('OpenW1', 'OpenW2', 'ApprovalW3', 'RevokedW4');
		await leave(['OpenW2']);

		expect(await status()).toEqual({
			instance: MAIN_INSTANCE,
			paused: false,
			pausedUntil: null,
			pauseReason: null,
			pauseMessage: null,
			joinsLastHour: 4,
			joinsLastDay: 4,
			records: { requested: 0, joined: 1, pending_approval: 1, failed: 1, left: 1 },
			ledger: expect.stringContaining(process.env.N8N_USER_FOLDER as string),
		});
		// Another instance of the same server: its own ledger entry, empty.
		expect(await status('second')).toMatchObject({
			instance: 'second',
			joinsLastHour: 0,
			records: { joined: 0 },
		});
	});

	test('Resume Joins: lifts a pause (here a throttle), and says when there was none', async () => {
		const none = await run({ resource: 'ledger', operation: 'resume' });
		expect(jsonOf(none.outputs?.[0])).toEqual([
			{
				instance: MAIN_INSTANCE,
				resumed: false,
				lifted: { paused: false, pausedUntil: null, pauseReason: null, pauseMessage: null },
			},
		]);

		emulator.queueFault('throttled');
		await run(
			{
				resource: 'group',
				operation: 'join',
				identifier: '={{ $json.code }}',
				options: UNPACED_JOIN_OPTIONS,
			},
			{ items: [{ code: 'OpenX1' }] },
		);
		expect(await status()).toMatchObject({ paused: true, pauseReason: 'throttled' });

		const lifted = await run({ resource: 'ledger', operation: 'resume' });
		expect(jsonOf(lifted.outputs?.[0])[0]).toMatchObject({
			resumed: true,
			lifted: { paused: true, pauseReason: 'throttled' },
		});
		expect(await status()).toMatchObject({ paused: false });
		expect(await joinCodes('OpenX1')).toEqual([expect.objectContaining({ status: 'joined' })]);
	});

	test('a ledger in a Redis that refuses: the operation fails naming Redis, or with Continue the item does', async () => {
		const runWithRedis = async (settings?: RunOptions['settings']) =>
			await runNode({
				nodeType: new RyzeApi(),
				typeName: NODE_TYPE,
				typeVersion: 1.2,
				items: [{}],
				parameters: { resource: 'ledger', operation: 'getStatus', joinLedger: 'redis' },
				credentials: {
					ryzeApi: { baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: ACCOUNT_TOKEN },
					redis: { host: '127.0.0.1', port: 1 },
				},
				settings,
			});

		const stopped = await runWithRedis();
		expect(stopped.status).toBe('error');
		expect(stopped.error?.message).toMatch(/Redis at 127\.0\.0\.1:1/);

		const continued = await runWithRedis({ onError: 'continueRegularOutput' });
		expect(jsonOf(continued.outputs?.[1])).toEqual([
			{
				status: 'failed',
				error: { reason: 'ledger_unavailable', message: expect.stringContaining('Redis') },
			},
		]);
	});
});
