/**
 * Join Group 1.2 and the join ledger, in n8n's engine against the emulator: every item leaves
 * once (Success, Failed, Deferred, Pending), codes the ledger knows cost no request, the budget
 * per instance (per hour, Active Hours, across runs at once), a restriction or throttle pausing
 * the instance, the ledger's Resume, a ledger that cannot be used, and version 1.1 without it.
 *
 * Each test gets a new emulator port (useEmulator), so a new server in the ledger's key: no test
 * sees another's records, budget or pause.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';

import fc from 'fast-check';
import type {
	IDataObject,
	INodeExecutionData,
	INodeParameters,
	ITaskData,
	NodeExecutionHint,
} from 'n8n-workflow';
import { getGlobalState } from 'n8n-workflow';

import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import { clock as clockOfTheProduct, useClock } from '../../nodes/RyzeApi/shared/clock';
import { ACCOUNT_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import type { RunOptions, RunResult } from '../support/engine';
import { NODE_NAME, NODE_TYPE, runNode, runRyzeApiNode, shutDownEngine } from '../support/engine';
import { UNPACED_JOIN_OPTIONS } from '../support/ledgerRuns';
import { manualClock } from '../support/manualClock';
import { waitFor } from '../support/waitFor';
import { useEmulator } from '../support/useEmulator';

const emulator = useEmulator();
afterAll(shutDownEngine);

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

interface JoinRun {
	options?: IDataObject;
	parameters?: INodeParameters;
	instanceName?: string;
	settings?: RunOptions['settings'];
	typeVersion?: number;
	onStart?: RunOptions['onStart'];
}

async function join(items: IDataObject[], run: JoinRun = {}): Promise<RunResult> {
	return await runRyzeApiNode({
		nodeType: new RyzeApi(),
		items,
		typeVersion: run.typeVersion ?? 1.2,
		parameters: {
			resource: 'group',
			operation: 'join',
			identifier: '={{ $json.code }}',
			options: { ...UNPACED_JOIN_OPTIONS, ...run.options },
			...run.parameters,
		},
		credentials: credentials(run.instanceName),
		settings: run.settings,
		onStart: run.onStart,
	});
}

/** One of the ledger's own operations (resource 'ledger'), on one input item. */
async function ledgerOperation(
	operation: 'getRecords' | 'getStatus' | 'resume',
	parameters: INodeParameters = {},
	instanceName = MAIN_INSTANCE,
): Promise<IDataObject[]> {
	const result = await runRyzeApiNode({
		nodeType: new RyzeApi(),
		items: [{}],
		typeVersion: 1.2,
		parameters: { resource: 'ledger', operation, ...parameters },
		credentials: credentials(instanceName),
	});
	expect(result.error).toBeUndefined();
	return jsonOf(result.outputs?.[0]);
}

function credentials(instanceName = MAIN_INSTANCE) {
	return { baseUrl: emulator.url, instanceName, token: ACCOUNT_TOKEN };
}

function jsonOf(items: INodeExecutionData[] | undefined): IDataObject[] {
	return (items ?? []).map((item) => item.json);
}

/** Success, Failed, Deferred (and Pending when separate), by name. */
function outputsOf(result: RunResult) {
	expect(result.error).toBeUndefined();
	const outputs = result.outputs ?? [];
	return {
		count: outputs.length,
		success: jsonOf(outputs[0]),
		failed: jsonOf(outputs[1]),
		deferred: jsonOf(outputs[2]),
		pending: jsonOf(outputs[3]),
	};
}

/** Every input index leaves exactly once, and each output keeps the input order. */
function expectEveryItemOnceInOrder(result: RunResult, inputCount: number): void {
	const outputs = result.outputs ?? [];
	const indexesOf = (items: INodeExecutionData[]) =>
		items.map((item) => (item.pairedItem as { item: number }).item);
	for (const output of outputs) {
		const indexes = indexesOf(output);
		expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
	}
	expect(outputs.flatMap(indexesOf).sort((a, b) => a - b)).toEqual([...Array(inputCount).keys()]);
}

/** The codes the emulator received joins for, in order (on one instance, or all). */
function joinsSent(instance?: string): string[] {
	return emulator
		.joinRequests()
		.filter((request) => instance === undefined || request.instance === instance)
		.map((request) => String(request.identifier));
}

function hintsOf(result: RunResult): NodeExecutionHint[] {
	const task = result.run.data.resultData.runData[NODE_NAME]?.[0] as ITaskData | undefined;
	return task?.hints ?? [];
}

const codes = (...names: string[]) => names.map((code) => ({ code }));

describe('every item leaves exactly once, in order', () => {
	const rows = [
		{ code: 'OpenA' },
		{ code: 'ApprovalB' },
		{ code: 'RevokedC' },
		{ code: 'not an invite' },
		{ code: 'OpenA' },
		{ code: 'OpenD' },
		{ code: 'OpenE' },
	];

	test('a table of mixed rows with a budget of 3: Success, Failed, Deferred, each field as documented', async () => {
		const result = await join(rows, { options: { maxJoinsPerHour: 3, concurrency: 1 } });
		const { count, success, failed, deferred } = outputsOf(result);

		expect(count).toBe(3);
		expectEveryItemOnceInOrder(result, rows.length);
		expect(joinsSent()).toEqual(['OpenA', 'ApprovalB', 'RevokedC']);
		expect(success).toEqual([
			expect.objectContaining({ code: 'OpenA', status: 'joined', fromLedger: false }),
			expect.objectContaining({
				code: 'ApprovalB',
				status: 'pending_approval',
				requiresApproval: true,
				fromLedger: false,
			}),
			expect.objectContaining({ code: 'OpenA', status: 'joined', inviteCode: 'OpenA' }),
		]);
		expect(failed).toEqual([
			expect.objectContaining({
				code: 'RevokedC',
				status: 'failed',
				inviteCode: 'RevokedC',
				error: expect.objectContaining({
					reason: 'revoked_or_expired',
					status: 'failed',
					inviteCode: 'RevokedC',
				}),
			}),
			expect.objectContaining({
				code: 'not an invite',
				status: 'failed',
				inviteCode: null,
				error: expect.objectContaining({ reason: 'invalid_identifier', status: 'failed' }),
			}),
		]);
		const notBefore = deferred[0]?.notBefore;
		expect(typeof notBefore).toBe('string');
		expect(deferred).toEqual(
			['OpenD', 'OpenE'].map((code) => ({
				code,
				status: 'deferred',
				inviteCode: code,
				notBefore,
				error: {
					reason: 'join_budget_reached',
					message: `Not sent: the number's join budget is used up until ${notBefore as string}.`,
					httpStatus: null,
					hint: expect.any(String),
					status: 'deferred',
					inviteCode: code,
					notBefore,
				},
			})),
		);
	});

	test('with Separate Output, Pending is the fourth output (index 3), after Deferred', async () => {
		const result = await join(rows, {
			options: { maxJoinsPerHour: 3, concurrency: 1 },
			parameters: { pendingApprovalOutput: 'separate' },
		});
		const { count, success, failed, deferred, pending } = outputsOf(result);

		expect(count).toBe(4);
		expectEveryItemOnceInOrder(result, rows.length);
		expect(success.map((item) => item.code)).toEqual(['OpenA', 'OpenA']);
		expect(failed.map((item) => item.code)).toEqual(['RevokedC', 'not an invite']);
		expect(deferred.map((item) => item.code)).toEqual(['OpenD', 'OpenE']);
		expect(pending).toEqual([
			expect.objectContaining({ code: 'ApprovalB', status: 'pending_approval' }),
		]);
	});

	test('property: mixed rows and budgets, every item once; sent codes answered, the rest deferred', async () => {
		const kinds = ['Open', 'Approval', 'Revoked', 'Missing', 'bad'] as const;
		const row = fc.record({ kind: fc.constantFrom(...kinds), n: fc.integer({ min: 0, max: 5 }) });
		let runs = 0;
		await fc.assert(
			fc.asyncProperty(
				fc.array(row, { minLength: 1, maxLength: 14 }),
				fc.integer({ min: 0, max: 5 }),
				async (picked, perHour) => {
					// A new instance for each run: its budget and records start empty.
					const instance = `prop${runs++}`;
					emulator.configure({ instances: { [instance]: 'connected' } });
					const items = picked.map(({ kind, n }) => ({
						code: kind === 'bad' ? `bad code ${n}` : `${kind}P${n}`,
					}));
					const result = await join(items, {
						instanceName: instance,
						options: { maxJoinsPerHour: perHour },
					});
					const { success, failed, deferred } = outputsOf(result);
					expectEveryItemOnceInOrder(result, items.length);

					const valid = [...new Set(items.map((item) => item.code))].filter(
						(code) => !code.startsWith('bad'),
					);
					const sent = joinsSent(instance);
					expect(new Set(sent).size).toBe(sent.length);
					expect(sent.length).toBe(perHour === 0 ? valid.length : Math.min(perHour, valid.length));
					const expectedOutput = (code: string) => {
						if (code.startsWith('bad')) return 'failed';
						if (!sent.includes(code)) return 'deferred';
						return /^(Open|Approval)/.test(code) ? 'success' : 'failed';
					};
					const where = (list: IDataObject[], name: string) =>
						list.map((item) => [item.code, name]);
					expect(
						[
							...where(success, 'success'),
							...where(failed, 'failed'),
							...where(deferred, 'deferred'),
						].sort(),
					).toEqual(items.map((item) => [item.code, expectedOutput(item.code)]).sort());
					for (const item of deferred) {
						expect(item).toMatchObject({
							status: 'deferred',
							error: { reason: 'join_budget_reached' },
						});
					}
				},
			),
			{ numRuns: 15 },
		);
	});
});

describe('codes the ledger knows cost no request', () => {
	test('a second run sends nothing for codes joined or pending, and says fromLedger', async () => {
		const first = await join(codes('OpenK', 'ApprovalK', 'RevokedK'));
		expect(outputsOf(first).success).toHaveLength(2);
		expect(joinsSent()).toHaveLength(3);

		const second = await join(codes('OpenK', 'ApprovalK', 'RevokedK', 'OpenK'));
		const { success, failed, deferred } = outputsOf(second);

		// Only the code that failed is asked again.
		expect(joinsSent()).toEqual(['OpenK', 'ApprovalK', 'RevokedK', 'RevokedK']);
		expect(success).toEqual([
			expect.objectContaining({
				code: 'OpenK',
				status: 'joined',
				fromLedger: true,
				groupJid: expect.stringMatching(/@g\.us$/),
				message: expect.stringMatching(/^Not sent: the join ledger has this code as joined/),
			}),
			expect.objectContaining({
				code: 'ApprovalK',
				status: 'pending_approval',
				requiresApproval: true,
				fromLedger: true,
			}),
			expect.objectContaining({ code: 'OpenK', fromLedger: true }),
		]);
		expect(failed.map((item) => item.code)).toEqual(['RevokedK']);
		expect(deferred).toEqual([]);
	});

	test('a pending approval older than Ask Pending Approvals Again After is asked again', async () => {
		const clock = manualClock(Date.now());
		useClock(clock);
		emulator.configure({ now: clock.now });
		try {
			const options = { pendingRecheckDays: 3 };
			await join(codes('ApprovalR'), { options });
			clock.advance(3 * DAY_MS - 60_000);
			const recent = outputsOf(await join(codes('ApprovalR'), { options }));
			expect(recent.success).toEqual([expect.objectContaining({ fromLedger: true })]);
			expect(joinsSent()).toEqual(['ApprovalR']);

			clock.advance(2 * 60_000);
			const old = outputsOf(await join(codes('ApprovalR'), { options }));
			expect(old.success).toEqual([
				expect.objectContaining({ status: 'pending_approval', fromLedger: false }),
			]);
			expect(joinsSent()).toEqual(['ApprovalR', 'ApprovalR']);
		} finally {
			useClock();
		}
	});
});

describe('the budget per instance', () => {
	test('Max Joins Per Hour N: N requests, the rest deferred until the first join + 1 h, with a hint', async () => {
		const names = ['OpenB1', 'OpenB2', 'OpenB3', 'OpenB4', 'OpenB5', 'OpenB6'];
		const result = await join(codes(...names), { options: { maxJoinsPerHour: 4 } });
		const { success, deferred } = outputsOf(result);

		expect(joinsSent()).toHaveLength(4);
		expect(success.map((item) => item.code)).toEqual(joinsSent());
		const records = await ledgerOperation('getRecords', { returnAll: true });
		const firstJoin = Math.min(
			...records.map((record) => Date.parse(record.requestedAt as string)),
		);
		const notBefore = new Date(firstJoin + HOUR_MS).toISOString();
		expect(deferred).toHaveLength(2);
		for (const item of deferred) {
			expect(item).toMatchObject({
				notBefore,
				error: { reason: 'join_budget_reached', notBefore },
			});
		}
		expect(hintsOf(result)).toEqual([
			expect.objectContaining({
				type: 'info',
				message: expect.stringContaining(
					`2 joins deferred to keep the number safe; the next may go at ${notBefore}`,
				),
			}),
		]);

		// The budget is the instance's, across runs: the next run in the hour sends nothing.
		const next = outputsOf(
			await join(codes('OpenB5', 'OpenB7'), { options: { maxJoinsPerHour: 4 } }),
		);
		expect(joinsSent()).toHaveLength(4);
		expect(next.deferred.map((item) => item.notBefore)).toEqual([notBefore, notBefore]);
	});

	test('Max Joins Per Day counts too, and a run with nothing deferred has no hint', async () => {
		const under = await join(codes('OpenD1', 'OpenD2'), { options: { maxJoinsPerDay: 3 } });
		expect(hintsOf(under)).toEqual([]);
		const over = outputsOf(
			await join(codes('OpenD3', 'OpenD4'), { options: { maxJoinsPerDay: 3 } }),
		);
		expect(joinsSent()).toEqual(['OpenD1', 'OpenD2', 'OpenD3']);
		expect(over.deferred).toEqual([
			expect.objectContaining({
				code: 'OpenD4',
				error: expect.objectContaining({ reason: 'join_budget_reached' }),
			}),
		]);
	});

	test('a join RyzeAPI refused before WhatsApp saw it (instance not connected) costs no budget and leaves no record', async () => {
		emulator.setInstanceState(MAIN_INSTANCE, 'unavailable');
		const refused = outputsOf(
			await join(codes('OpenNotConnected'), {
				options: { maxJoinsPerHour: 1 },
				settings: { onError: 'continueRegularOutput' },
			}),
		);
		expect(refused.failed).toEqual([
			expect.objectContaining({
				error: expect.objectContaining({ reason: 'instance_unavailable' }),
			}),
		]);
		emulator.setInstanceState(MAIN_INSTANCE, 'connected');
		expect(await ledgerOperation('getRecords', { returnAll: true })).toEqual([]);
		const status = await ledgerOperation('getStatus');
		expect(status).toEqual([expect.objectContaining({ joinsLastHour: 0 })]);
		// The budget of one is still there for the next join.
		const next = outputsOf(
			await join(codes('OpenAfterwards'), { options: { maxJoinsPerHour: 1 } }),
		);
		expect(next.success).toEqual([expect.objectContaining({ status: 'joined' })]);
	});

	test('two runs at once on one instance never exceed the budget nor send one code twice', async () => {
		const a = codes('OpenC1', 'OpenC2', 'OpenC3', 'OpenC4', 'OpenC5');
		const b = codes('OpenC4', 'OpenC3', 'OpenC6', 'OpenC1', 'OpenC7');
		const options = { maxJoinsPerHour: 3 };
		const [first, second] = await Promise.all([join(a, { options }), join(b, { options })]);
		expectEveryItemOnceInOrder(first, a.length);
		expectEveryItemOnceInOrder(second, b.length);

		const sent = joinsSent();
		expect(sent.length).toBeLessThanOrEqual(3);
		expect(sent.length).toBeGreaterThan(0);
		expect(new Set(sent).size).toBe(sent.length);
		const joined = [first, second].flatMap((run) =>
			outputsOf(run).success.filter((item) => item.fromLedger === false),
		);
		expect(joined.map((item) => item.code).sort()).toEqual([...sent].sort());
		const deferredReasons = [first, second].flatMap((run) =>
			outputsOf(run).deferred.map((item) => (item.error as IDataObject).reason),
		);
		for (const reason of deferredReasons) {
			expect(['join_budget_reached', 'join_in_progress']).toContain(reason);
		}
		const status = await ledgerOperation('getStatus');
		expect(status[0]).toMatchObject({ joinsLastHour: sent.length, paused: false });
	});

	test('outside Active Hours (in the workflow time zone): nothing sent, deferred until From', async () => {
		const timeZone = getGlobalState().defaultTimezone;
		const nowMinute = localMinute(Date.now(), timeZone);
		const from = clockTime(nowMinute + 120);
		const to = clockTime(nowMinute + 180);
		const result = await join(codes('OpenH1', 'OpenH2'), {
			options: { activeHoursFrom: from, activeHoursTo: to },
		});
		const { deferred } = outputsOf(result);

		expect(joinsSent()).toEqual([]);
		expect(deferred).toHaveLength(2);
		for (const item of deferred) {
			expect(item.error).toMatchObject({ reason: 'outside_active_hours' });
			const notBefore = Date.parse(item.notBefore as string);
			expect(notBefore).toBeGreaterThan(Date.now());
			expect(clockTime(localMinute(notBefore, timeZone))).toBe(from);
		}
		expect(hintsOf(result)).toHaveLength(1);
	});

	test('inside Active Hours the joins go', async () => {
		const timeZone = getGlobalState().defaultTimezone;
		const nowMinute = localMinute(Date.now(), timeZone);
		await join(codes('OpenH3'), {
			options: {
				activeHoursFrom: clockTime(nowMinute - 60),
				activeHoursTo: clockTime(nowMinute + 60),
			},
		});
		expect(joinsSent()).toEqual(['OpenH3']);
	});
});

describe('WhatsApp restricting or throttling the number', () => {
	test('a restriction pauses the instance: nothing more sent on it, now or next run; another instance keeps joining', async () => {
		emulator.configure({ restriction: { afterJoins: 2, windowMs: HOUR_MS } });
		const rows = [
			{ code: 'OpenR1', instance: MAIN_INSTANCE },
			{ code: 'OpenR2', instance: MAIN_INSTANCE },
			{ code: 'OpenS1', instance: 'second' },
			{ code: 'OpenR3', instance: MAIN_INSTANCE },
			{ code: 'OpenR4', instance: MAIN_INSTANCE },
			{ code: 'OpenS2', instance: 'second' },
		];
		const before = Date.now();
		const result = await join(rows, {
			options: { concurrency: 1, instanceName: '={{ $json.instance }}' },
		});
		const after = Date.now();
		const { success, deferred } = outputsOf(result);

		expectEveryItemOnceInOrder(result, rows.length);
		expect(joinsSent(MAIN_INSTANCE)).toEqual(['OpenR1', 'OpenR2', 'OpenR3']);
		expect(joinsSent('second')).toEqual(['OpenS1', 'OpenS2']);
		expect(success.map((item) => item.code)).toEqual(['OpenR1', 'OpenR2', 'OpenS1', 'OpenS2']);
		expect(deferred.map((item) => item.code)).toEqual(['OpenR3', 'OpenR4']);
		const [answered, held] = deferred;
		expect(answered.error).toMatchObject({
			reason: 'instance_restricted',
			httpStatus: 403,
			message: expect.stringContaining('account_reachout_restricted'),
		});
		expect(held.error).toMatchObject({ reason: 'instance_restricted', httpStatus: null });
		const until = Date.parse(answered.notBefore as string);
		expect(until).toBeGreaterThanOrEqual(before + DAY_MS);
		expect(until).toBeLessThanOrEqual(after + DAY_MS);
		expect(held.notBefore).toBe(answered.notBefore);

		const next = outputsOf(await join(codes('OpenR5')));
		expect(joinsSent(MAIN_INSTANCE)).toHaveLength(3);
		expect(next.deferred).toEqual([
			expect.objectContaining({
				code: 'OpenR5',
				notBefore: answered.notBefore,
				error: expect.objectContaining({ reason: 'instance_restricted' }),
			}),
		]);
		const [status] = await ledgerOperation('getStatus');
		expect(status).toMatchObject({
			paused: true,
			pauseReason: 'restricted',
			pausedUntil: answered.notBefore,
		});
		const [other] = await ledgerOperation('getStatus', {}, 'second');
		expect(other).toMatchObject({ paused: false, joinsLastHour: 2 });
	});

	test('a throttle (429 with requests left) pauses 15 minutes, without a retry; Resume lifts it', async () => {
		emulator.queueFault('throttled');
		const before = Date.now();
		const result = await join(codes('OpenT1', 'OpenT2'));
		const after = Date.now();
		const { deferred } = outputsOf(result);

		expect(joinsSent()).toEqual(['OpenT1']);
		expect(deferred.map((item) => item.code)).toEqual(['OpenT1', 'OpenT2']);
		expect(deferred[0].error).toMatchObject({
			reason: 'instance_restricted',
			httpStatus: 429,
			message: expect.stringContaining('throttled'),
		});
		const until = Date.parse(deferred[0].notBefore as string);
		expect(until).toBeGreaterThanOrEqual(before + 15 * 60_000);
		expect(until).toBeLessThanOrEqual(after + 15 * 60_000);
		const [status] = await ledgerOperation('getStatus');
		expect(status).toMatchObject({ paused: true, pauseReason: 'throttled' });

		const [resumed] = await ledgerOperation('resume');
		expect(resumed).toMatchObject({
			resumed: true,
			lifted: { paused: true, pauseReason: 'throttled', pausedUntil: deferred[0].notBefore },
		});
		const again = outputsOf(await join(codes('OpenT1', 'OpenT2')));
		expect(again.success.map((item) => item.status)).toEqual(['joined', 'joined']);
		expect(joinsSent()).toEqual(['OpenT1', 'OpenT1', 'OpenT2']);
		expect((await ledgerOperation('getStatus'))[0]).toMatchObject({ paused: false });
		expect((await ledgerOperation('resume'))[0]).toMatchObject({ resumed: false });
	});

	test.each([
		[500, 'Internal error (whatsmeow): 429 rate-overlimit', 'throttled', 15 * 60_000],
		[423, 'account locked', 'restricted', DAY_MS],
		[400, 'This account is banned from joining groups', 'restricted', DAY_MS],
		[200, 'reachout_restricted', 'restricted', DAY_MS],
	])(
		'%i "%s": %s, the pause set, the request not retried',
		async (status, message, pauseReason, pauseMs) => {
			emulator.configure({ restriction: { afterJoins: 0, windowMs: HOUR_MS, status, message } });
			const before = Date.now();
			const { deferred } = outputsOf(await join(codes('OpenW1', 'OpenW2')));
			const after = Date.now();

			expect(joinsSent()).toEqual(['OpenW1']);
			expect(deferred.map((item) => (item.error as IDataObject).reason)).toEqual([
				'instance_restricted',
				'instance_restricted',
			]);
			const until = Date.parse(deferred[0].notBefore as string);
			expect(until).toBeGreaterThanOrEqual(before + pauseMs);
			expect(until).toBeLessThanOrEqual(after + pauseMs);
			expect((await ledgerOperation('getStatus'))[0]).toMatchObject({ paused: true, pauseReason });
		},
	);

	test('Pause After Throttling is the option’s', async () => {
		emulator.queueFault('throttled');
		const before = Date.now();
		const { deferred } = outputsOf(
			await join(codes('OpenT3'), { options: { throttlePauseMinutes: 2 } }),
		);
		const until = Date.parse(deferred[0].notBefore as string);
		expect(until - before).toBeGreaterThanOrEqual(2 * 60_000);
		expect(until - before).toBeLessThan(15 * 60_000);
	});
});

describe('a join that may have been made stays counted', () => {
	/** The record of the code and the instance's joins in the last hour, by the ledger's own operations. */
	async function ledgerOf(code: string) {
		const records = await ledgerOperation('getRecords', { returnAll: true });
		const [status] = await ledgerOperation('getStatus');
		return {
			record: records.find((record) => record.inviteCode === code),
			joinsLastHour: status.joinsLastHour,
		};
	}

	test('an execution stopped while a join is in flight: the code stays requested and counted; the next run does not send it', async () => {
		emulator.queueFault('hang');
		const result = await join(codes('OpenStopped1'), {
			onStart: (execution) =>
				void waitFor('the join in flight', () =>
					emulator.joinRequests().length === 1 ? true : undefined,
				).then(() => execution.cancel()),
		});
		expect(result.status).toBe('canceled');
		expect(await ledgerOf('OpenStopped1')).toEqual({
			record: expect.objectContaining({ status: 'requested' }),
			joinsLastHour: 1,
		});

		const next = outputsOf(await join(codes('OpenStopped1')));
		expect(joinsSent()).toEqual(['OpenStopped1']);
		expect(next.deferred).toEqual([
			expect.objectContaining({ error: expect.objectContaining({ reason: 'join_in_progress' }) }),
		]);
	});

	test('a 500, then "instance not connected" on the last try: the first try may have joined, so the code stays requested and counted', async () => {
		emulator.queueFault('serverError');
		emulator.queueFault('unavailable');
		const { failed } = outputsOf(
			await join(codes('OpenMaybe1'), {
				options: { triesPerRequest: 2, retryWaitSeconds: 0 },
			}),
		);
		expect(joinsSent()).toEqual(['OpenMaybe1', 'OpenMaybe1']);
		expect(failed).toEqual([
			expect.objectContaining({
				error: expect.objectContaining({ reason: 'instance_unavailable' }),
			}),
		]);
		expect(await ledgerOf('OpenMaybe1')).toEqual({
			record: expect.objectContaining({ status: 'requested' }),
			joinsLastHour: 1,
		});
	});

	test('"instance not connected" on every try: no join was made, so nothing stays counted', async () => {
		emulator.queueFault('unavailable');
		await join(codes('OpenNever1'), { options: { triesPerRequest: 1 } });
		expect(joinsSent()).toEqual(['OpenNever1']);
		expect(await ledgerOf('OpenNever1')).toEqual({ record: undefined, joinsLastHour: 0 });
	});

	test('a restriction heard while another join waits to retry: that retry is not sent', async () => {
		const real = { now: () => Date.now(), sleep: clockOfTheProduct().sleep };
		// The longest backoff of the jitter: the retry waits its whole second.
		useClock({ ...real, random: () => 0.999 });
		try {
			emulator.configure({ restriction: { afterJoins: 0, windowMs: HOUR_MS } });
			emulator.queueFault('serverError');
			const result = await join(codes('OpenRetry1', 'OpenRestricted1'), {
				options: { concurrency: 2, triesPerRequest: 3, retryWaitSeconds: 1 },
			});
			const { deferred } = outputsOf(result);
			// The first join went alone and got a 500; the second heard the restriction meanwhile.
			expect(joinsSent()).toEqual(['OpenRetry1', 'OpenRestricted1']);
			expect(deferred.map((item) => [item.code, (item.error as IDataObject).reason])).toEqual([
				['OpenRetry1', 'instance_restricted'],
				['OpenRestricted1', 'instance_restricted'],
			]);
			// Its 500 may have joined: the code stays requested.
			expect((await ledgerOf('OpenRetry1')).record).toMatchObject({ status: 'requested' });
		} finally {
			useClock();
		}
	});
});

describe('a ledger that cannot be used', () => {
	async function joinWithRedisAtPort1(settings?: RunOptions['settings']): Promise<RunResult> {
		return await runNode({
			nodeType: new RyzeApi(),
			typeName: NODE_TYPE,
			typeVersion: 1.2,
			items: codes('OpenU1', 'OpenU2'),
			parameters: {
				resource: 'group',
				operation: 'join',
				identifier: '={{ $json.code }}',
				joinLedger: 'redis',
				options: UNPACED_JOIN_OPTIONS,
			},
			credentials: {
				ryzeApi: credentials(),
				redis: { host: '127.0.0.1', port: 1, database: 0 },
			},
			settings,
		});
	}

	test('a Redis that refuses the connection fails the node in words naming Redis, before any request', async () => {
		const result = await joinWithRedisAtPort1();
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/Redis at 127\.0\.0\.1:1/);
		expect(result.error?.message).toMatch(/Start Redis or fix its settings/);
		expect(emulator.log).toEqual([]);
	});

	test('with On Error = Continue, every item fails with ledger_unavailable, nothing sent', async () => {
		const result = await joinWithRedisAtPort1({ onError: 'continueRegularOutput' });
		const { success, failed, deferred } = outputsOf(result);
		expect(success).toEqual([]);
		expect(deferred).toEqual([]);
		expect(failed).toEqual(
			['OpenU1', 'OpenU2'].map((code) =>
				expect.objectContaining({
					code,
					status: 'failed',
					error: expect.objectContaining({
						reason: 'ledger_unavailable',
						message: expect.stringContaining('Redis'),
					}),
				}),
			),
		);
		expect(emulator.log).toEqual([]);
	});

	test("n8n's user folder where no folder can be made: the node fails naming N8N_USER_FOLDER", async () => {
		const userFolder = process.env.N8N_USER_FOLDER;
		const notAFolder = joinPath(mkdtempSync(joinPath(tmpdir(), 'ryzeapi-ledger-')), 'a-file');
		writeFileSync(notAFolder, '');
		process.env.N8N_USER_FOLDER = notAFolder;
		try {
			const result = await join(codes('OpenU3'));
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/N8N_USER_FOLDER/);
			expect(emulator.log).toEqual([]);
		} finally {
			process.env.N8N_USER_FOLDER = userFolder;
		}
	});
});

describe('version 1.1 of the same workflow', () => {
	test('keeps joining without the ledger: no file, no Deferred output, codes sent again', async () => {
		const userFolder = process.env.N8N_USER_FOLDER;
		const fresh = mkdtempSync(joinPath(tmpdir(), 'ryzeapi-n8n-'));
		process.env.N8N_USER_FOLDER = fresh;
		try {
			const rows = codes('OpenV1', 'OpenV2', 'OpenV3', 'OpenV4');
			// A budget of 1 that 1.1 does not know: every code goes, twice.
			const options = { maxJoinsPerHour: 1, activeHoursFrom: '00:00', activeHoursTo: '00:01' };
			const first = await join(rows, { typeVersion: 1.1, options });
			const second = await join(rows, { typeVersion: 1.1, options });

			for (const result of [first, second]) {
				expect(result.outputs).toHaveLength(2);
				expect(outputsOf(result).success).toHaveLength(4);
				expect(outputsOf(result).success.some((item) => 'fromLedger' in item)).toBe(false);
				expect(hintsOf(result)).toEqual([]);
			}
			expect(joinsSent()).toHaveLength(8);
			expect(existsSync(joinPath(fresh, '.n8n', 'storage', 'n8n-nodes-ryzeapi'))).toBe(false);
		} finally {
			process.env.N8N_USER_FOLDER = userFolder;
		}
	});
});

/** Minutes after local midnight in a time zone. */
function localMinute(ms: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-GB', {
		timeZone,
		hour: '2-digit',
		minute: '2-digit',
		hourCycle: 'h23',
	}).formatToParts(new Date(ms));
	const value = (type: string) => Number(parts.find((part) => part.type === type)?.value);
	return value('hour') * 60 + value('minute');
}

/** HH:MM of a minute of the day (wrapping around midnight). */
function clockTime(minute: number): string {
	const wrapped = ((minute % 1440) + 1440) % 1440;
	const pad = (value: number) => String(value).padStart(2, '0');
	return `${pad(Math.floor(wrapped / 60))}:${pad(wrapped % 60)}`;
}
