/**
 * Preview Invite and Leave Group inside n8n's real execution engine, against the emulator: the
 * guarantees Join has (every item once, in order, pairedItem; duplicates cost one request; hostile
 * identifiers cost none; a refused token stops the node; one token budget; AI tool), and the
 * lifecycle join → preview → leave → leave again.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import { ACCOUNT_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import type { RunOptions } from '../support/engine';
import { runNode, runRyzeApiNode, shutDownEngine } from '../support/engine';
import { useEmulator } from '../support/useEmulator';

const emulator = useEmulator();
afterAll(shutDownEngine);

/** The emulator's URL is known once it has started (before each test). */
const credentials = () => ({
	baseUrl: emulator.url,
	instanceName: MAIN_INSTANCE,
	token: ACCOUNT_TOKEN,
});

function parameters(operation: string, options: IDataObject = {}): INodeParameters {
	return {
		resource: 'group',
		operation,
		identifier: '={{ $json.id }}',
		options: options as INodeParameters,
	};
}

async function run(
	operation: string,
	ids: unknown[],
	overrides: Partial<RunOptions> & { options?: IDataObject } = {},
) {
	return await runRyzeApiNode({
		nodeType: new RyzeApi(),
		items: ids.map((id, row) => ({ row, id }) as IDataObject),
		parameters: parameters(operation, overrides.options),
		credentials: credentials(),
		...overrides,
	});
}

const jsonOf = (items: INodeExecutionData[] | undefined) => (items ?? []).map((item) => item.json);
const requestsTo = (route: string) =>
	emulator.log.filter((entry) => entry.path.startsWith(`/api/group/${route}/`));

function expectEveryItemOnceInOrder(outputs: INodeExecutionData[][] | undefined, count: number) {
	const indexes = (outputs ?? []).map((output) =>
		output.map((item) => (item.pairedItem as { item: number }).item),
	);
	for (const output of indexes) expect(output).toEqual([...output].sort((a, b) => a - b));
	expect(indexes.flat().sort((a, b) => a - b)).toEqual([...Array(count).keys()]);
}

describe('Preview Invite', () => {
	test("a link, a code and a group's JID are previewed without joining; the group's fields are at the top level", async () => {
		await run('join', ['OpenMember']);
		const jid = jsonOf((await run('join', ['OpenMember'])).outputs![0])[0].groupJid as string;
		const result = await run('preview', [
			'https://chat.whatsapp.com/OpenSmall1',
			'ApprovalBig2',
			jid,
		]);
		expect(result.error).toBeUndefined();
		const [success, error] = result.outputs!;
		expect(error).toHaveLength(0);
		expect(jsonOf(success)[0]).toEqual({
			row: 0,
			id: 'https://chat.whatsapp.com/OpenSmall1',
			status: 'previewed',
			identifier: 'OpenSmall1',
			groupName: 'Group OpenSmall1',
			groupJid: expect.stringMatching(/@g\.us$/),
			groupDescription: expect.any(String),
			participantCount: 5,
			requireAdminApproval: false,
			membersCanEditInfo: false,
			membersCanSendMessages: true,
			membersCanAddOthers: false,
			inviteCode: 'OpenSmall1',
			inviteLink: 'https://chat.whatsapp.com/OpenSmall1',
			groupCreatedAt: '2026-01-15T10:00:00Z',
			groupCreatedBy: '5511999999999@s.whatsapp.net',
			groupImage: null,
			isEphemeral: false,
			isIncognito: false,
			isSuspended: false,
			message: expect.any(String),
		});
		expect(jsonOf(success)[1]).toMatchObject({
			participantCount: 1000,
			requireAdminApproval: true,
		});
		expect(jsonOf(success)[2]).toMatchObject({
			identifier: jid,
			groupJid: jid,
			participantCount: 6,
		});
		expect(emulator.isMember(MAIN_INSTANCE, 'OpenSmall1')).toBe(false);
		expect(requestsTo('info').map((entry) => entry.path)).toEqual([
			expect.stringMatching(/identifier=OpenSmall1&participants=false$/),
			expect.stringMatching(/identifier=ApprovalBig2&participants=false$/),
			expect.stringMatching(/participants=false$/),
		]);
		expect(jsonOf(success).every((json) => !('participants' in json))).toBe(true);
	});

	test('Include Participants adds the member list', async () => {
		const result = await run('preview', ['OpenTeam'], { options: { includeParticipants: true } });
		const [preview] = jsonOf(result.outputs![0]);
		expect(preview.participants).toHaveLength(5);
		expect(requestsTo('info')[0].path).toMatch(/participants=true$/);
	});

	test('refusals keep their reasons; what is not a group identifier costs no request', async () => {
		const ids = [
			'RevokedOld',
			'MissingGroup',
			'InvalidCode',
			'5511999999999@s.whatsapp.net',
			'https://wa.me/5511999999999',
			'',
			'120363400000000000@g.us',
		];
		const result = await run('preview', ids);
		const [success, error] = result.outputs!;
		expect(success).toHaveLength(0);
		expect(jsonOf(error).map((json) => (json.error as IDataObject).reason)).toEqual([
			'revoked_or_expired',
			'group_not_found',
			'invalid_code',
			'invalid_identifier',
			'invalid_identifier',
			'invalid_identifier',
			'group_not_found',
		]);
		expect(jsonOf(error)[3]).toMatchObject({ status: 'failed', identifier: null });
		expect(requestsTo('info')).toHaveLength(4);
		expectEveryItemOnceInOrder(result.outputs, ids.length);
	});

	test('duplicates (a link and its code) cost one request; each item gets the answer', async () => {
		const result = await run('preview', [
			'OpenDup',
			'https://chat.whatsapp.com/OpenDup',
			'OpenOther',
			'OpenDup',
		]);
		expect(result.outputs![0]).toHaveLength(4);
		expect(requestsTo('info')).toHaveLength(2);
		expectEveryItemOnceInOrder(result.outputs, 4);
	});

	test('as an AI agent tool, every item reaches the one output', async () => {
		const result = await runNode({
			nodeType: new RyzeApi(),
			typeName: 'n8n-nodes-ryzeapi.ryzeApiTool',
			typeVersion: 1,
			items: [{ id: 'OpenTool' }, { id: 'RevokedTool' }],
			parameters: parameters('preview'),
			credentials: { ryzeApi: credentials() },
		});
		expect(result.outputs).toHaveLength(1);
		expect(jsonOf(result.outputs![0]).map((json) => json.status)).toEqual(['previewed', 'error']);
	});
});

describe('Leave Group', () => {
	test('join, leave by JID, code or link, then leave again: not_a_member', async () => {
		const joined = await run('join', ['OpenLeaveA', 'OpenLeaveB', 'OpenLeaveC']);
		const [jidA] = jsonOf(joined.outputs![0]).map((json) => json.groupJid as string);
		const left = await run('leave', [jidA, 'OpenLeaveB', 'https://chat.whatsapp.com/OpenLeaveC']);
		expect(left.error).toBeUndefined();
		expect(jsonOf(left.outputs![0])).toEqual([
			{
				row: 0,
				id: jidA,
				status: 'left',
				identifier: jidA,
				groupJid: jidA,
				message: 'Successfully left the group',
			},
			expect.objectContaining({ row: 1, status: 'left', identifier: 'OpenLeaveB' }),
			expect.objectContaining({ row: 2, status: 'left', identifier: 'OpenLeaveC' }),
		]);
		for (const code of ['OpenLeaveA', 'OpenLeaveB', 'OpenLeaveC']) {
			expect(emulator.isMember(MAIN_INSTANCE, code)).toBe(false);
		}
		expect(requestsTo('leave').every((entry) => entry.method === 'DELETE')).toBe(true);

		const again = await run('leave', ['OpenLeaveB']);
		expect(jsonOf(again.outputs![1])).toEqual([
			{
				row: 0,
				id: 'OpenLeaveB',
				status: 'failed',
				identifier: 'OpenLeaveB',
				error: {
					reason: 'not_a_member',
					message: 'Group not found or you are not a member of this group',
					httpStatus: 404,
					hint: 'Nothing to do: the number is not in the group. A cleanup workflow can treat it as done.',
				},
			},
		]);
	});

	test('403 is not_allowed; hostile identifiers cost no request', async () => {
		const ids = ['ForbiddenLeave', 'evil.com/OpenX', '{{ $env.HOME }}', '../../etc'];
		const result = await run('leave', ids);
		expect(jsonOf(result.outputs![1]).map((json) => (json.error as IDataObject).reason)).toEqual([
			'not_allowed',
			'invalid_identifier',
			'invalid_identifier',
			'invalid_identifier',
		]);
		expect(jsonOf(result.outputs![1])[0].error).toMatchObject({
			hint: 'The group does not let this number leave.',
		});
		expect(requestsTo('leave')).toHaveLength(1);
	});

	test('a refused token fails the node after one request, with no item index in its message', async () => {
		const result = await run('leave', ['OpenA', 'OpenB', 'OpenC'], {
			credentials: { ...credentials(), token: 'wrong-token' },
		});
		expect(result.error?.message).toMatch(/^RyzeAPI refused the credential/);
		expect(result.error?.message).not.toMatch(/\[item/);
		expect(requestsTo('leave')).toHaveLength(1);
	});

	test('a leave whose answer is lost is tried again (the route is idempotent)', async () => {
		await run('join', ['OpenRetryLeave']);
		emulator.queueFault('serverError');
		const result = await run('leave', ['OpenRetryLeave'], { options: { retryWaitSeconds: 0.001 } });
		expect(jsonOf(result.outputs![0])).toEqual([expect.objectContaining({ status: 'left' })]);
		expect(requestsTo('leave')).toHaveLength(2);
	});
});

describe('one token budget for every operation', () => {
	test('joins and previews running together share the window: never more than it holds, no 429', async () => {
		emulator.configure({ rateLimit: { limit: 6, windowMs: 1_000 } });
		const ids = (prefix: string) => Array.from({ length: 6 }, (_, i) => `Open${prefix}${i}`);
		const [joins, previews] = await Promise.all([
			run('join', ids('Budget')),
			run('preview', ids('Look')),
		]);
		expect(joins.outputs![0]).toHaveLength(6);
		expect(previews.outputs![0]).toHaveLength(6);
		expect(emulator.log.filter((entry) => entry.status === 429)).toHaveLength(0);
		const perWindow = new Map<number, number>();
		for (const entry of emulator.log) {
			const window = Math.floor(entry.at / 1_000);
			perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
		}
		expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(6);
	});
});
