/**
 * ledger/reservation.ts: the ledger's decisions, applied to an in-memory view as a store applies
 * them (one step at a time): reserving within the budget, codes already known, a code another run
 * holds, answers, releases, pauses, groups joined later, Leave, pruning.
 */
import fc from 'fast-check';

import { runOptionProperties } from '../../nodes/RyzeApi/actions/options/runOptions';

import type {
	InstanceState,
	JoinRecord,
	LedgerView,
	LedgerWrites,
} from '../../nodes/RyzeApi/ledger/records';
import {
	DAY_MS,
	emptyState,
	HOUR_MS,
	MAX_RECORDS_PER_INSTANCE,
	REQUEST_LEASE_MS,
} from '../../nodes/RyzeApi/ledger/records';
import type { ReservationRequest, Step } from '../../nodes/RyzeApi/ledger/reservation';
import {
	markGroupsJoined,
	markLeft,
	pauseJoins,
	pruneRecords,
	recordAnswers,
	releaseUnsent,
	reserveJoins,
	resumeJoins,
} from '../../nodes/RyzeApi/ledger/reservation';

const NOW = Date.UTC(2026, 5, 10, 12, 0);

/** One instance's ledger in memory, applying steps as a store does. */
class MemoryLedger {
	state: InstanceState = emptyState();
	records = new Map<string, JoinRecord>();

	step<R>(run: (view: LedgerView) => Step<R>): R {
		const { writes, result } = run({
			state: structuredClone(this.state),
			records: new Map(this.records),
		});
		this.apply(writes);
		return result;
	}

	private apply(writes: LedgerWrites): void {
		for (const record of writes.put ?? []) this.records.set(record.code, record);
		for (const code of writes.delete ?? []) this.records.delete(code);
		if (writes.state) this.state = writes.state;
	}
}

function request(codes: string[], overrides: Partial<ReservationRequest> = {}): ReservationRequest {
	return {
		codes,
		run: 'run-a',
		nowMs: NOW,
		rules: { maxPerHour: 3, maxPerDay: 10 },
		pendingRecheckMs: 3 * DAY_MS,
		...overrides,
	};
}

describe('reserveJoins', () => {
	it('sends what the budget allows, in order, and defers the rest until the next slot', () => {
		const ledger = new MemoryLedger();
		const verdicts = ledger.step((view) => reserveJoins(view, request(['A', 'B', 'C', 'D', 'E'])));
		expect([...verdicts.values()].map((verdict) => verdict.kind)).toEqual([
			'send',
			'send',
			'send',
			'deferred',
			'deferred',
		]);
		expect(verdicts.get('D')).toEqual({
			kind: 'deferred',
			reason: 'join_budget_reached',
			notBefore: NOW + HOUR_MS,
		});
		// The codes one step reserves are one entry: a burst costs the state one pair, not one each.
		expect(ledger.state.joinCounts).toEqual([[NOW, 3]]);
		expect(ledger.records.get('A')).toMatchObject({
			status: 'requested',
			run: 'run-a',
			requestedAt: NOW,
		});
	});

	it('a code joined (or pending, recently) costs nothing and no budget', () => {
		const ledger = new MemoryLedger();
		ledger.records.set('J', record('J', 'joined'));
		ledger.records.set('P', record('P', 'pending_approval', NOW - DAY_MS));
		ledger.records.set('Old', record('Old', 'pending_approval', NOW - 4 * DAY_MS));
		const verdicts = ledger.step((view) => reserveJoins(view, request(['J', 'P', 'Old'])));
		expect(verdicts.get('J')?.kind).toBe('known');
		expect(verdicts.get('P')?.kind).toBe('known');
		expect(verdicts.get('Old')?.kind).toBe('send');
		expect(ledger.state.joinCounts).toEqual([[NOW, 1]]);
	});

	it("another run's reservation defers the code until its lease ends; after it, the code goes", () => {
		const ledger = new MemoryLedger();
		ledger.step((view) => reserveJoins(view, request(['A'], { run: 'run-b' })));
		const during = ledger.step((view) =>
			reserveJoins(view, request(['A'], { nowMs: NOW + 60_000 })),
		);
		expect(during.get('A')).toEqual({
			kind: 'deferred',
			reason: 'join_in_progress',
			notBefore: NOW + REQUEST_LEASE_MS,
		});
		const after = ledger.step((view) =>
			reserveJoins(
				view,
				request(['A'], { nowMs: NOW + REQUEST_LEASE_MS, rules: { maxPerHour: 0, maxPerDay: 0 } }),
			),
		);
		expect(after.get('A')?.kind).toBe('send');
	});

	it('paused or outside the hours: everything deferred with that reason, nothing counted', () => {
		const ledger = new MemoryLedger();
		ledger.step((view) =>
			pauseJoins(view, { until: NOW + DAY_MS, reason: 'restricted', message: 'm', since: NOW }),
		);
		const verdicts = ledger.step((view) => reserveJoins(view, request(['A', 'B'])));
		expect(verdicts.get('A')).toEqual({
			kind: 'deferred',
			reason: 'instance_restricted',
			notBefore: NOW + DAY_MS,
		});
		expect(ledger.state.joinCounts).toEqual([]);
		expect(ledger.records.size).toBe(0);
	});

	it('property: runs reserving in any interleaving never exceed a cap, nor send one code twice at once', () => {
		fc.assert(
			fc.property(
				fc.array(
					fc.record({
						run: fc.constantFrom('w1', 'w2', 'w3'),
						codes: fc.uniqueArray(fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'), {
							maxLength: 5,
						}),
						gap: fc.integer({ min: 0, max: 40 * 60_000 }),
					}),
					{ maxLength: 25 },
				),
				(steps) => {
					const ledger = new MemoryLedger();
					const rules = { maxPerHour: 3, maxPerDay: 5 };
					let now = NOW;
					const sent: Array<{ code: string; at: number }> = [];
					for (const { run, codes, gap } of steps) {
						now += gap;
						const verdicts = ledger.step((view) =>
							reserveJoins(view, request(codes, { run, nowMs: now, rules })),
						);
						for (const [code, verdict] of verdicts)
							if (verdict.kind === 'send') sent.push({ code, at: now });
					}
					for (const { at } of sent) {
						expect(
							sent.filter((other) => other.at > at - HOUR_MS && other.at <= at).length,
						).toBeLessThanOrEqual(3);
						expect(
							sent.filter((other) => other.at > at - DAY_MS && other.at <= at).length,
						).toBeLessThanOrEqual(5);
					}
					for (const [index, { code, at }] of sent.entries()) {
						const again = sent.slice(index + 1).find((other) => other.code === code);
						if (again) expect(again.at - at).toBeGreaterThanOrEqual(REQUEST_LEASE_MS);
					}
				},
			),
		);
	});
});

describe('answers, releases and pauses', () => {
	it("records this run's answers; pending ones are found again by their group", () => {
		const ledger = new MemoryLedger();
		ledger.step((view) => reserveJoins(view, request(['A', 'B', 'C'])));
		ledger.step((view) =>
			recordAnswers(
				view,
				[
					{ code: 'A', status: 'joined', groupJid: '1@g.us', reason: null },
					{ code: 'B', status: 'pending_approval', groupJid: '2@g.us', reason: null },
					{ code: 'C', status: 'failed', groupJid: null, reason: 'revoked_or_expired' },
				],
				'run-a',
				NOW + 1_000,
			),
		);
		expect(ledger.records.get('A')).toMatchObject({ status: 'joined', resolvedAt: NOW + 1_000 });
		expect(ledger.records.get('C')).toMatchObject({
			status: 'failed',
			reason: 'revoked_or_expired',
		});
		expect(ledger.state.pending).toEqual({ '2@g.us': 'B' });
		const joined = ledger.step((view) => markGroupsJoined(view, ['2@g.us', '9@g.us'], NOW + 2_000));
		expect(joined.map((one) => one.code)).toEqual(['B']);
		expect(ledger.records.get('B')?.status).toBe('joined');
		expect(ledger.state.pending).toEqual({});
	});

	it('an answer for a code another run has since reserved is left to that run', () => {
		const ledger = new MemoryLedger();
		ledger.records.set('A', { ...record('A', 'requested'), run: 'run-b' });
		const written = ledger.step((view) =>
			recordAnswers(
				view,
				[{ code: 'A', status: 'joined', groupJid: 'x@g.us', reason: null }],
				'run-a',
				NOW,
			),
		);
		expect(written).toBe(0);
		expect(ledger.records.get('A')?.status).toBe('requested');
	});

	it('releases what this run reserved and never sent: the record as it was, the join uncounted', () => {
		const ledger = new MemoryLedger();
		ledger.records.set('A', record('A', 'failed'));
		ledger.step((view) => reserveJoins(view, request(['A', 'B'])));
		ledger.step((view) => releaseUnsent(view, ['A', 'B'], 'run-a', NOW));
		expect(ledger.records.get('A')?.status).toBe('failed');
		expect(ledger.records.has('B')).toBe(false);
		expect(ledger.state.joinCounts).toEqual([]);
		// Another run's reservation is not ours to release.
		ledger.step((view) => reserveJoins(view, request(['C'], { run: 'run-b' })));
		ledger.step((view) => releaseUnsent(view, ['C'], 'run-a', NOW));
		expect(ledger.records.get('C')?.status).toBe('requested');
	});

	it('a longer pause stays; resume lifts it', () => {
		const ledger = new MemoryLedger();
		const long = { until: NOW + DAY_MS, reason: 'restricted' as const, message: 'm', since: NOW };
		ledger.step((view) => pauseJoins(view, long));
		ledger.step((view) => pauseJoins(view, { ...long, until: NOW + HOUR_MS, reason: 'throttled' }));
		expect(ledger.state.pause).toEqual(long);
		expect(ledger.step(resumeJoins)).toEqual(long);
		expect(ledger.state.pause).toBeNull();
	});

	it('Leave marks left the records of those groups and codes', () => {
		const ledger = new MemoryLedger();
		ledger.records.set('A', { ...record('A', 'joined'), groupJid: '1@g.us' });
		ledger.records.set('B', { ...record('B', 'joined'), groupJid: '2@g.us' });
		ledger.records.set('C', record('C', 'joined'));
		const left = ledger.step((view) =>
			markLeft(view, { codes: ['C'], groupJids: ['1@g.us'] }, NOW),
		);
		expect(left).toBe(2);
		expect([...ledger.records.values()].map((one) => one.status)).toEqual([
			'left',
			'joined',
			'left',
		]);
	});
});

describe('pruneRecords', () => {
	it('drops records untouched for 180 days and, beyond the bound, the oldest; keeps held reservations', () => {
		const ledger = new MemoryLedger();
		ledger.records.set('old', record('old', 'failed', NOW - 200 * DAY_MS));
		ledger.records.set('held', { ...record('held', 'requested', NOW - 1_000), run: 'r' });
		for (let index = 0; index < MAX_RECORDS_PER_INSTANCE; index++) {
			ledger.records.set(`c${index}`, record(`c${index}`, 'joined', NOW - DAY_MS + index));
		}
		const dropped = ledger.step((view) => pruneRecords(view, NOW));
		expect(dropped).toBe(2);
		expect(ledger.records.has('old')).toBe(false);
		expect(ledger.records.has('c0')).toBe(false);
		expect(ledger.records.has('held')).toBe(true);
		expect(ledger.records.size).toBe(MAX_RECORDS_PER_INSTANCE);
		expect(ledger.state.prunedAt).toBe(NOW);
	});
});

function record(code: string, status: JoinRecord['status'], at = NOW - HOUR_MS): JoinRecord {
	return {
		code,
		status,
		groupJid: null,
		reason: null,
		requestedAt: at,
		resolvedAt: status === 'requested' ? null : at,
	};
}

describe('the reservation lease', () => {
	test('outlasts the longest a join can take with the widest options (every try timing out, the whole retry wait)', () => {
		const most = (name: string) => {
			const property = runOptionProperties.find((candidate) => candidate.name === name);
			const maxValue = property?.typeOptions?.maxValue;
			if (typeof maxValue !== 'number') throw new Error(`${name} has no maxValue`);
			return maxValue;
		};
		const longestJoinMs =
			most('triesPerRequest') * most('timeoutSeconds') * 1000 + most('maxRetryWaitSeconds') * 1000;
		expect(REQUEST_LEASE_MS).toBeGreaterThan(longestJoinMs);
	});
});
