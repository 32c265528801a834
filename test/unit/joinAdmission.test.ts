/**
 * ledger/joinAdmission.ts on its own, over a store whose steps the test holds: what a run does
 * when an answer arrives while a reservation step is being written.
 */
import { JoinAdmission } from '../../nodes/RyzeApi/ledger/joinAdmission';
import { JoinLedger } from '../../nodes/RyzeApi/ledger/joinLedger';
import type { InstanceState, JoinRecord, LedgerView } from '../../nodes/RyzeApi/ledger/records';
import { emptyState, HOUR_MS } from '../../nodes/RyzeApi/ledger/records';
import type { Step } from '../../nodes/RyzeApi/ledger/reservation';
import type { LedgerStore } from '../../nodes/RyzeApi/ledger/store';
import type { Task } from '../../nodes/RyzeApi/runner/runOperation';
import type { JoinSuccess } from '../../nodes/RyzeApi/shared/groupAnswers';
import type { Outcome } from '../../nodes/RyzeApi/shared/interfaces';

/** One instance's ledger in memory; while `held` is set, every step waits for it. */
class HeldStore implements LedgerStore {
	readonly where = 'memory';
	state: InstanceState = emptyState();
	readonly records = new Map<string, JoinRecord>();
	held: Promise<void> | undefined;
	/** Steps begun, written or not. */
	steps = 0;

	async update<R>(
		_instance: unknown,
		codesOf: (state: InstanceState) => readonly string[] | 'all',
		step: (view: LedgerView) => Step<R>,
	): Promise<R> {
		this.steps++;
		await this.held;
		const codes = codesOf(this.state);
		const names = codes === 'all' ? [...this.records.keys()] : codes;
		const records = new Map(
			names.flatMap((code) => {
				const record = this.records.get(code);
				return record ? [[code, record] as const] : [];
			}),
		);
		const { writes, result } = step({ state: structuredClone(this.state), records });
		for (const record of writes.put ?? []) this.records.set(record.code, record);
		for (const code of writes.delete ?? []) this.records.delete(code);
		if (writes.state) this.state = writes.state;
		return result;
	}

	async close(): Promise<void> {}
}

const SAFETY = {
	rules: { maxPerHour: 0, maxPerDay: 0 },
	pendingRecheckMs: 3 * 24 * HOUR_MS,
	restrictionPauseMs: 24 * HOUR_MS,
	throttlePauseMs: HOUR_MS / 4,
};

function task(identifier: string): Task {
	const connection = { origin: 'http://127.0.0.1:1', basePath: '', instance: 'main', token: 't' };
	return { connection, identifier };
}

const RESTRICTED: Outcome<JoinSuccess> = {
	ok: false,
	failure: {
		reason: 'not_allowed',
		message: 'account_reachout_restricted',
		httpStatus: 403,
		restriction: 'restricted',
	},
};

test('a restriction heard while a reservation is being written: that join is not sent, and its reservation is given back', async () => {
	const store = new HeldStore();
	const admission = new JoinAdmission(new JoinLedger(store), SAFETY, 'execution-1');
	const first = task('FirstCode');
	const second = task('SecondCode');
	await admission.prepare([first, second]);
	expect(await admission.atTurn(first)).toBeUndefined();
	admission.sending(first);

	const stepsBefore = store.steps;
	let release = () => {};
	store.held = new Promise((resolve) => (release = resolve));
	const secondTurn = admission.atTurn(second);
	await new Promise((resolve) => setImmediate(resolve));
	expect(store.steps).toBe(stepsBefore + 1);
	// The first join's answer says the number is restricted while the second's step is written.
	admission.answered(first, RESTRICTED);
	admission.settled(first, { ...RESTRICTED, attempts: 1 });
	release();

	expect(await secondTurn).toMatchObject({
		ok: false,
		failure: { reason: 'instance_restricted' },
	});
	await admission.finish();
	expect(store.records.has('SecondCode')).toBe(false);
	expect(store.records.get('FirstCode')).toMatchObject({ status: 'failed' });
	expect(store.state.joinCounts.reduce((sum, [, count]) => sum + count, 0)).toBe(1);
	expect(store.state.pause).toMatchObject({ reason: 'restricted' });
});
