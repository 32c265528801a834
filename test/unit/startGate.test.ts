/**
 * The start gate's decision, asked directly with a clock of plain numbers: every rule that may hold
 * a request back (a refused token, an instance given up on, the requests that go alone, the run's
 * own spacing, the token's budget) and the order in which they are asked.
 */
import type { Connection } from '../../nodes/RyzeApi/shared/connection';
import type { Failure, Outcome, RawAnswer } from '../../nodes/RyzeApi/shared/interfaces';
import type { Clock } from '../../nodes/RyzeApi/shared/clock';
import { useClock } from '../../nodes/RyzeApi/shared/clock';
import type { GateSettings, GateTicket } from '../../nodes/RyzeApi/runner/startGate';
import { INSTANCE_UNAVAILABLE_STREAK, StartGate } from '../../nodes/RyzeApi/runner/startGate';

/** 2026-01-01T00:00:00Z. */
const NOW = 1_767_225_600_000;

/** A clock that never moves by itself: decide() is given the time. Each test gets its own budgets. */
function stillClock(random = () => 0.5): Clock {
	return { now: () => NOW, random, sleep: async () => undefined };
}

let tokenCount = 0;
function connection(instance = 'main', token = `token-${++tokenCount}`): Connection {
	return { origin: 'http://127.0.0.1:1', basePath: '', instance, token };
}

/** A gate on `clock` (the gate keeps the clock in use when it is made, and its token budgets). */
function gate(settings: Partial<GateSettings> = {}, clock = stillClock()): StartGate {
	useClock(clock);
	return new StartGate({ minIntervalMs: 0, ...settings });
}

afterEach(() => useClock());

function headers(limit: number, remaining: number, resetAtMs = NOW + 60_000): RawAnswer {
	return {
		kind: 'http',
		status: 200,
		body: '{}',
		bodyTooLarge: false,
		headers: {
			'x-ratelimit-limit': String(limit),
			'x-ratelimit-remaining': String(remaining),
			'x-ratelimit-reset': String(resetAtMs / 1000),
		},
	};
}

const OK: Outcome<unknown> = { ok: true, value: {} };
const failed = (reason: Failure['reason'], message = 'no'): Outcome<unknown> => ({
	ok: false,
	failure: { reason, message, httpStatus: 401 },
});

/** Starts the ticket's request through the gate (it must be allowed now). */
async function start(subject: StartGate, ticket: GateTicket): Promise<void> {
	expect(subject.decide(ticket, NOW)).toEqual({ go: true });
	expect(await subject.waitForTurn(ticket)).toBeUndefined();
}

describe('StartGate.decide', () => {
	test("the run's first request goes alone, until it is answered", async () => {
		const subject = gate();
		const link = connection();
		const [first, second] = [subject.ticket(link), subject.ticket(link)];
		await start(subject, first);
		expect(subject.decide(second, NOW)).toEqual({
			go: false,
			waitMs: undefined,
			why: 'waiting for the first answer of the run',
		});
		subject.settle(first, headers(100, 99), OK);
		expect(subject.decide(second, NOW)).toEqual({ go: true });
	});

	test("the first request of a token's window goes alone across runs of one clock", async () => {
		const link = connection();
		const clock = stillClock();
		const [one, another] = [gate({}, clock), gate({}, clock)];
		await start(one, one.ticket(link));
		expect(another.decide(another.ticket(link), NOW)).toEqual({
			go: false,
			waitMs: undefined,
			why: 'waiting for the first answer of the window',
		});
		// A run on another clock shares no budget with them.
		const elsewhere = gate();
		await start(elsewhere, elsewhere.ticket(link));
	});

	test('after a refused token nothing more is sent, with the reason', async () => {
		const subject = gate();
		const link = connection();
		const first = subject.ticket(link);
		await start(subject, first);
		subject.settle(first, headers(100, 99), failed('unauthorized', 'Invalid token'));
		const decision = subject.decide(subject.ticket(connection('other', link.token)), NOW);
		expect(decision).toMatchObject({
			go: false,
			notSent: {
				reason: 'unauthorized',
				message: 'Not sent: RyzeAPI refused the token on an earlier item (Invalid token).',
			},
		});
	});

	test('an instance answering "unavailable" gets one request at a time, and none after the streak', async () => {
		const subject = gate();
		const link = connection('offline');
		const healthy = subject.ticket(connection('main', link.token));
		for (let answer = 1; answer <= INSTANCE_UNAVAILABLE_STREAK; answer++) {
			const ticket = subject.ticket(link);
			await start(subject, ticket);
			if (answer > 1) {
				expect(subject.decide(subject.ticket(link), NOW)).toMatchObject({
					go: false,
					why: 'instance unavailable, one request at a time',
				});
				// Other instances of the token are not held back.
				expect(subject.decide(healthy, NOW)).toEqual({ go: true });
			}
			subject.settle(
				ticket,
				headers(100, 100 - answer),
				failed('instance_unavailable', 'Instance disconnected'),
			);
		}
		expect(subject.decide(subject.ticket(link), NOW)).toMatchObject({
			go: false,
			notSent: {
				reason: 'instance_unavailable',
				message: expect.stringMatching(
					/^Not sent: instance "offline" was reported unavailable 3 times in a row/,
				),
			},
		});
		expect(subject.decide(healthy, NOW)).toEqual({ go: true });
	});

	test('any other answer from the API ends the streak', async () => {
		const subject = gate();
		const link = connection('flaky');
		for (const outcome of [
			failed('instance_unavailable'),
			failed('instance_unavailable'),
			OK,
			failed('instance_unavailable'),
			failed('instance_unavailable'),
		]) {
			const ticket = subject.ticket(link);
			await start(subject, ticket);
			subject.settle(ticket, headers(100, 90), outcome);
		}
		expect(subject.decide(subject.ticket(link), NOW)).toEqual({ go: true });
	});

	test('Max Requests Per Minute spaces the starts of the run', async () => {
		const subject = gate({ minIntervalMs: 600 });
		const link = connection();
		const first = subject.ticket(link);
		await start(subject, first);
		subject.settle(first, headers(100, 99), OK);
		expect(subject.decide(subject.ticket(link), NOW + 100)).toEqual({
			go: false,
			waitMs: 500,
			why: 'pacing between requests',
		});
		expect(subject.decide(subject.ticket(link), NOW + 600)).toEqual({ go: true });
	});

	test('the human-like delay is drawn within its bounds and spaces the starts', async () => {
		const subject = gate(
			{ humanDelayMs: { min: 1_000, max: 3_000 } },
			stillClock(() => 0.25),
		);
		const link = connection();
		const first = subject.ticket(link);
		await start(subject, first);
		subject.settle(first, headers(100, 99), OK);
		// 1 s + 0.25 × 2 s.
		expect(subject.decide(subject.ticket(link), NOW)).toMatchObject({ go: false, waitMs: 1_500 });
	});

	test("the token's budget is asked last: a used-up window waits for its reset", async () => {
		const subject = gate();
		const link = connection();
		const first = subject.ticket(link);
		await start(subject, first);
		subject.settle(first, headers(100, 0, NOW + 30_000), OK);
		expect(subject.decide(subject.ticket(link), NOW)).toEqual({
			go: false,
			waitMs: 30_050,
			why: 'rate limit window used up',
		});
	});

	test('a 429 pauses every start on the token until the time given', async () => {
		const subject = gate();
		const link = connection();
		const first = subject.ticket(link);
		await start(subject, first);
		subject.settle(first, headers(100, 50), OK);
		subject.pauseToken(first, NOW + 2_000);
		expect(subject.decide(subject.ticket(link), NOW)).toEqual({
			go: false,
			waitMs: 2_000,
			why: 'rate limited',
		});
		// Then the budget decides again: the rejected request was not counted as ours.
		expect(subject.decide(subject.ticket(link), NOW + 2_000)).not.toMatchObject({
			why: 'rate limited',
		});
	});

	test('an abandoned start frees its place: the next one goes', async () => {
		const subject = gate();
		const link = connection('offline');
		const first = subject.ticket(link);
		await start(subject, first);
		subject.settle(first, headers(100, 99), failed('instance_unavailable'));
		// The instance answers "unavailable": its requests go one at a time.
		const second = subject.ticket(link);
		await start(subject, second);
		expect(subject.decide(subject.ticket(link), NOW)).toMatchObject({
			go: false,
			why: 'instance unavailable, one request at a time',
		});
		subject.abandon(second);
		expect(subject.decide(subject.ticket(link), NOW)).toEqual({ go: true });
	});

	test('waitForTurn rejects once the execution is cancelled', async () => {
		const cancel = new AbortController();
		const subject = gate({ cancelSignal: cancel.signal });
		cancel.abort();
		await expect(subject.waitForTurn(subject.ticket(connection()))).rejects.toThrow('canceled');
	});
});

describe('the human-like delay', () => {
	/** The pause the gate puts after a start, with this range and this random draw. */
	async function pauseAfterStart(
		range: GateSettings['humanDelayMs'],
		random: number,
	): Promise<number | undefined> {
		const subject = gate(
			{ humanDelayMs: range },
			stillClock(() => random),
		);
		const link = connection();
		const first = subject.ticket(link);
		await start(subject, first);
		subject.settle(first, headers(100, 99), OK);
		const decision = subject.decide(subject.ticket(link), NOW);
		if (decision.go) return 0;
		expect(decision).toMatchObject({ why: 'pacing between requests' });
		return 'waitMs' in decision ? decision.waitMs : undefined;
	}

	test.each([
		[undefined, 0.5, 0],
		[{ min: 0, max: 0 }, 0.5, 0],
		[{ min: 2_000, max: 4_000 }, 0, 2_000],
		[{ min: 2_000, max: 4_000 }, 0.5, 3_000],
		// Min above Max: the same range, read the right way round.
		[{ min: 4_000, max: 2_000 }, 0.5, 3_000],
		[{ min: -1_000, max: 1_000 }, 0, 0],
	])('%j with random %d waits %d ms', async (range, random, expected) => {
		expect(await pauseAfterStart(range, random)).toBe(expected);
	});
	test('a start abandoned before it became a request gives its pause back; a settled one keeps it', async () => {
		let now = NOW;
		const subject = gate(
			{ humanDelayMs: { min: 30_000, max: 30_000 } },
			{ now: () => now, random: () => 0.5, sleep: async () => undefined },
		);
		const link = connection();
		const first = subject.ticket(link);
		await start(subject, first);
		subject.settle(first, headers(100, 99), OK);
		expect(subject.decide(subject.ticket(link), now)).toEqual({
			go: false,
			waitMs: 30_000,
			why: 'pacing between requests',
		});
		// 30 s later the second start goes, and is held back (the ledger's budget, say): it never
		// becomes a request.
		now += 30_000;
		const second = subject.ticket(link);
		expect(await subject.waitForTurn(second)).toBeUndefined();
		expect(subject.decide(subject.ticket(link), now)).toMatchObject({
			go: false,
			why: 'pacing between requests',
		});
		subject.abandon(second);
		// The next task goes at once, not a human-like pause after a join that was never sent.
		expect(subject.decide(subject.ticket(link), now)).toEqual({ go: true });
	});
});
