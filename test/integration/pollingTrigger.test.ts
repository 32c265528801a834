/**
 * The RyzeAPI Polling Trigger's poll() in n8n-core's PollContext (test/support/pollHarness.ts)
 * against the emulator: the first poll records, later ones start the workflow for groups joined
 * and left and for the instance disconnecting and coming back; a failed poll starts nothing and
 * keeps the last list; a refused token fails the poll; the editor's test fetch shows a sample;
 * a pending join of the ledger (made by Join 1.2) becomes joined and its invite code shows.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { useClock } from '../../nodes/RyzeApi/shared/clock';
import type { FaultKind } from '../support/emulator/server';
import { ACCOUNT_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import { groupJidOf } from '../support/emulator/groups';
import { shutDownEngine } from '../support/engine';
import { joinUnpaced, ledgerRecordOf } from '../support/ledgerRuns';
import { manualClock } from '../support/manualClock';
import { PollHarness } from '../support/pollHarness';
import { useEmulator } from '../support/useEmulator';
import { waitFor } from '../support/waitFor';

const emulator = useEmulator();
afterAll(shutDownEngine);

const ALL_EVENTS = ['joined', 'left', 'disconnected', 'reconnected'];

let harness: PollHarness;
let workflows = 0;

function newHarness(events: string[] = ALL_EVENTS, instanceName = MAIN_INSTANCE): PollHarness {
	return new PollHarness({
		workflowId: `wf${++workflows}Poll`,
		credentials: { ryzeApi: credentials(instanceName) },
		parameters: { events },
	});
}

beforeEach(() => {
	harness = newHarness();
});

function credentials(instanceName = MAIN_INSTANCE, token = ACCOUNT_TOKEN) {
	return { baseUrl: emulator.url, instanceName, token };
}

function itemsOf(polled: INodeExecutionData[][] | null): IDataObject[] {
	return (polled?.[0] ?? []).map((item) => item.json);
}

const listRequests = () =>
	emulator.log.filter(
		(entry) => entry.method === 'GET' && entry.path.startsWith('/api/group/list/'),
	);

/** Join Group 1.2, unpaced, on the main instance: its items, all outputs together. */
const join = (...codes: string[]) => joinUnpaced(credentials(), ...codes);

const ledgerRecord = (code: string) => ledgerRecordOf(credentials(), code);

/** No item and no static data holds the token. */
function expectNoToken(...polls: Array<INodeExecutionData[][] | null>): void {
	expect(JSON.stringify(polls)).not.toContain(ACCOUNT_TOKEN);
	expect(JSON.stringify(harness.savedStaticData())).not.toContain(ACCOUNT_TOKEN);
}

describe('joined and left', () => {
	test('the first poll only records; the next starts one item per group joined and left', async () => {
		emulator.addGroups(MAIN_INSTANCE, ['OpenP1', 'OpenP2']);
		const first = await harness.poll();
		expect(first).toBeNull();
		expect(JSON.stringify(harness.savedStaticData())).toContain(groupJidOf('OpenP2'));

		emulator.addGroups(MAIN_INSTANCE, ['OpenP3']);
		emulator.removeFromGroup(MAIN_INSTANCE, 'OpenP1');
		const second = await harness.poll();

		expect(itemsOf(second)).toEqual([
			expect.objectContaining({
				event: 'joined',
				instance: MAIN_INSTANCE,
				groupJid: groupJidOf('OpenP3'),
				groupName: 'Group OpenP3',
				inviteCode: 'OpenP3',
				requestedAt: null,
				polledAt: expect.stringMatching(/Z$/),
			}),
			{
				event: 'left',
				instance: MAIN_INSTANCE,
				groupJid: groupJidOf('OpenP1'),
				groupName: null,
				inviteCode: null,
				requestedAt: null,
				polledAt: expect.stringMatching(/Z$/),
			},
		]);
		expect(await harness.poll()).toBeNull();
		expect(listRequests()).toHaveLength(3);
		expectNoToken(first, second);
	});

	test('Events filters what starts the workflow; the list is recorded all the same', async () => {
		harness = newHarness(['left']);
		emulator.addGroups(MAIN_INSTANCE, ['OpenF1']);
		await harness.poll();
		emulator.addGroups(MAIN_INSTANCE, ['OpenF2']);
		expect(await harness.poll()).toBeNull();
		emulator.removeFromGroup(MAIN_INSTANCE, 'OpenF2');
		expect(itemsOf(await harness.poll())).toEqual([
			expect.objectContaining({ event: 'left', groupJid: groupJidOf('OpenF2') }),
		]);
	});

	test('the credential moved to another instance: the first poll there records again', async () => {
		emulator.addGroups(MAIN_INSTANCE, ['OpenC1']);
		emulator.addGroups('second', ['OpenC2', 'OpenC3']);
		await harness.poll();
		harness.credentials = { ryzeApi: credentials('second') };
		expect(await harness.poll()).toBeNull();
		emulator.removeFromGroup('second', 'OpenC3');
		expect(itemsOf(await harness.poll())).toEqual([
			expect.objectContaining({
				event: 'left',
				instance: 'second',
				groupJid: groupJidOf('OpenC3'),
			}),
		]);
	});
});

describe('a new activation', () => {
	test('activated again by the user: its first poll records what it finds, not what changed while it was off', async () => {
		emulator.addGroups(MAIN_INSTANCE, ['OpenA1', 'OpenA2']);
		await harness.poll();
		// Off for a while: a group joined and one left meanwhile.
		emulator.addGroups(MAIN_INSTANCE, ['OpenA3']);
		emulator.removeFromGroup(MAIN_INSTANCE, 'OpenA1');
		harness.reactivate('activate');
		expect(await harness.poll()).toBeNull();
		emulator.addGroups(MAIN_INSTANCE, ['OpenA4']);
		expect(itemsOf(await harness.poll())).toEqual([
			expect.objectContaining({ event: 'joined', groupJid: groupJidOf('OpenA4') }),
		]);
	});

	test.each<['init' | 'update']>([['init'], ['update']])(
		'activated again by n8n (%s): its first poll reports what changed meanwhile',
		async (activation) => {
			emulator.addGroups(MAIN_INSTANCE, ['OpenN1', 'OpenN2']);
			await harness.poll();
			emulator.addGroups(MAIN_INSTANCE, ['OpenN3']);
			emulator.removeFromGroup(MAIN_INSTANCE, 'OpenN1');
			harness.reactivate(activation);
			expect(itemsOf(await harness.poll())).toEqual([
				expect.objectContaining({ event: 'joined', groupJid: groupJidOf('OpenN3') }),
				expect.objectContaining({ event: 'left', groupJid: groupJidOf('OpenN1') }),
			]);
		},
	);

	test('a first poll that fails does not count as the first: the next one records', async () => {
		emulator.addGroups(MAIN_INSTANCE, ['OpenF5']);
		await harness.poll();
		emulator.addGroups(MAIN_INSTANCE, ['OpenF6']);
		harness.reactivate('activate');
		emulator.queueFault('serverError', 3);
		const clock = manualClock(Date.now());
		useClock(clock);
		try {
			expect(await harness.poll()).toBeNull();
		} finally {
			useClock();
		}
		expect(await harness.poll()).toBeNull();
		emulator.addGroups(MAIN_INSTANCE, ['OpenF7']);
		expect(itemsOf(await harness.poll())).toEqual([
			expect.objectContaining({ event: 'joined', groupJid: groupJidOf('OpenF7') }),
		]);
	});
});

describe('a join pending in the ledger, approved later', () => {
	test('approved by an admin: one joined item with the ledger’s invite code and requestedAt; the record is joined', async () => {
		expect(await harness.poll()).toBeNull();
		const [pending] = await join('ApprovalP4');
		expect(pending).toMatchObject({ status: 'pending_approval' });
		const asked = await ledgerRecord('ApprovalP4');
		expect(asked).toMatchObject({ status: 'pending_approval' });

		// Not approved yet: not in the list, nothing starts.
		expect(await harness.poll()).toBeNull();
		expect(emulator.approvePendingJoin(MAIN_INSTANCE, 'ApprovalP4')).toBeDefined();
		const approved = await harness.poll();

		expect(itemsOf(approved)).toEqual([
			expect.objectContaining({
				event: 'joined',
				groupJid: groupJidOf('ApprovalP4'),
				inviteCode: 'ApprovalP4',
				requestedAt: asked?.requestedAt,
			}),
		]);
		expect(await ledgerRecord('ApprovalP4')).toMatchObject({
			status: 'joined',
			requestedAt: asked?.requestedAt,
		});
		// Joined now: Join 1.2 sends nothing for it.
		const requests = emulator.joinRequests().length;
		expect(await join('ApprovalP4')).toEqual([
			expect.objectContaining({ status: 'joined', fromLedger: true }),
		]);
		expect(emulator.joinRequests()).toHaveLength(requests);
		expectNoToken(approved);
	});

	test('approved by itself after a while (approveAfterMs): the same', async () => {
		emulator.configure({ approveAfterMs: 20 });
		await harness.poll();
		await join('ApprovalP5');
		await waitFor('the admin to approve', () =>
			emulator.isMember(MAIN_INSTANCE, 'ApprovalP5') ? true : undefined,
		);
		expect(itemsOf(await harness.poll())).toEqual([
			expect.objectContaining({ event: 'joined', inviteCode: 'ApprovalP5' }),
		]);
		expect(await ledgerRecord('ApprovalP5')).toMatchObject({ status: 'joined' });
	});
});

describe('a poll that fails', () => {
	// Its retries wait on the clock: a manual one passes their time at once. A 503 saying the
	// instance is not connected is a disconnect (below); "Bridge not configured" is a failure.
	beforeEach(() => {
		const clock = manualClock(Date.now());
		useClock(clock);
		emulator.configure({ now: clock.now });
	});
	afterEach(() => useClock());

	test.each<[FaultKind]>([
		['serverError'],
		['unavailable'],
		['badGatewayHtml'],
		['emptyBody'],
		['reset'],
		['rateLimited'],
	])(
		'%s on every try: null, the last list kept; the next good poll starts only what changed',
		async (fault) => {
			emulator.addGroups(MAIN_INSTANCE, ['OpenE1', 'OpenE2']);
			await harness.poll();
			const kept = harness.savedStaticData();

			emulator.addGroups(MAIN_INSTANCE, ['OpenE3']);
			emulator.queueFault(fault, 3);
			expect(await harness.poll()).toBeNull();
			expect(listRequests()).toHaveLength(1 + 3);
			expect(harness.savedStaticData()).toEqual(kept);

			expect(itemsOf(await harness.poll())).toEqual([
				expect.objectContaining({ event: 'joined', groupJid: groupJidOf('OpenE3') }),
			]);
		},
	);

	test('one failure, then a good answer within the same poll: the poll goes on', async () => {
		await harness.poll();
		emulator.addGroups(MAIN_INSTANCE, ['OpenE4']);
		emulator.queueFault('serverError', 1);
		expect(itemsOf(await harness.poll())).toEqual([
			expect.objectContaining({ event: 'joined', groupJid: groupJidOf('OpenE4') }),
		]);
	});
});

describe('the instance disconnecting', () => {
	test('disconnected once, then reconnected, with what changed meanwhile', async () => {
		emulator.addGroups(MAIN_INSTANCE, ['OpenD1']);
		await harness.poll();
		emulator.setInstanceState(MAIN_INSTANCE, 'disconnected');
		const down = await harness.poll();
		expect(itemsOf(down)).toEqual([
			expect.objectContaining({
				event: 'disconnected',
				instance: MAIN_INSTANCE,
				groupJid: null,
				inviteCode: null,
			}),
		]);
		expect(await harness.poll()).toBeNull();

		emulator.setInstanceState(MAIN_INSTANCE, 'connected');
		emulator.addGroups(MAIN_INSTANCE, ['OpenD2']);
		expect(itemsOf(await harness.poll()).map((item) => [item.event, item.groupJid])).toEqual([
			['reconnected', null],
			['joined', groupJidOf('OpenD2')],
		]);
		expectNoToken(down);
	});
});

describe('what fails the poll', () => {
	test('a refused token throws, naming the credential; nothing recorded', async () => {
		harness.credentials = { ryzeApi: credentials(MAIN_INSTANCE, 'not-a-token') };
		await expect(harness.poll()).rejects.toThrow(/RyzeAPI refused the credential/);
		expect(harness.savedStaticData()).toEqual({});
		expect(listRequests()).toHaveLength(1);
	});
});

describe("the editor's test fetch (manual)", () => {
	test('one sample item from the first group, the static data and the ledger untouched', async () => {
		emulator.addGroups(MAIN_INSTANCE, ['OpenM1']);
		await join('ApprovalM2');
		emulator.approvePendingJoin(MAIN_INSTANCE, 'ApprovalM2');

		const sample = await harness.poll('manual');
		expect(sample).toHaveLength(1);
		expect(sample?.[0]).toHaveLength(1);
		expect(itemsOf(sample)[0]).toMatchObject({ event: 'joined', sample: true });
		expect(harness.manualStaticData()).toEqual({});
		expect(harness.savedStaticData()).toEqual({});
		expect(await ledgerRecord('ApprovalM2')).toMatchObject({ status: 'pending_approval' });
		expectNoToken(sample);

		// The active workflow's first poll still only records.
		expect(await harness.poll()).toBeNull();
	});

	test('no groups: a sample with nulls; an instance not connected: a disconnected sample', async () => {
		expect(itemsOf(await harness.poll('manual'))).toEqual([
			expect.objectContaining({ event: 'joined', groupJid: null, sample: true }),
		]);
		emulator.setInstanceState(MAIN_INSTANCE, 'disconnected');
		expect(itemsOf(await harness.poll('manual'))).toEqual([
			expect.objectContaining({ event: 'disconnected', sample: true }),
		]);
		expect(harness.manualStaticData()).toEqual({});
	});
});
