/**
 * The TokenBudget driven against a simulated fixed-window server (the emulator's FixedWindow), with
 * and without other consumers on the token, on simulated time: never more than the limit in a
 * window alone, never stuck, everything sent.
 */
import fc from 'fast-check';

import { readRateLimitHeaders, RESET_MARGIN_MS } from '../../nodes/RyzeApi/shared/rateLimitHeaders';
import { TokenBudget } from '../../nodes/RyzeApi/runner/tokenBudget';
import { retryDecision } from '../../nodes/RyzeApi/runner/retryPolicy';
import { FixedWindow } from '../support/emulator/fixedWindow';
import { countPerWindow } from '../support/rateFigures';
import type { LoggedJoin } from '../support/rateFigures';
import {
	check,
	half,
	http,
	JOINED,
	NOW,
	POLICY,
	transientOf,
	windowHeaders,
} from '../support/fakeAnswers';

type SimEvent =
	| { kind: 'start' }
	| { kind: 'answer'; pick: number }
	| { kind: 'answerAll' }
	| { kind: 'advance'; ms: number }
	| { kind: 'toWindowEdge'; deltaMs: number }
	| { kind: 'waitAsTold' }
	| { kind: 'other'; count: number };

interface SimCase {
	limit: number;
	windowSeconds: number;
	/** Headers as counted when the request arrived, or when its answer leaves (later, lower). */
	headersAtArrival: boolean;
	requests: number;
	startOffsetMs: number;
	events: SimEvent[];
}

interface InFlight {
	accepted: boolean;
	arrivalHeaders: Record<string, string>;
}
interface SimResult {
	own429s: number;
	ownPerWindow: number[];
	sent: number;
	endMs: number;
}
/** Drives a TokenBudget as limiter.ts and joinRunner.ts do, against the server; checks liveness throughout. */
function simulate(c: SimCase): SimResult {
	const server = new FixedWindow(c.limit, c.windowSeconds * 1000);
	/** Our requests as the server saw them, for the count per window. */
	const ours: LoggedJoin[] = [];
	const budget = new TokenBudget();
	const inFlight: InFlight[] = [];
	let now = NOW + c.startOffsetMs;
	let pending = c.requests;
	let sent = 0;
	let own429s = 0;

	const startWhatIsAllowed = () => {
		while (pending > 0 && budget.decide(now).go) {
			budget.onStart(now);
			const arrival = server.take(now);
			const accepted = arrival.allowed;
			ours.push({ at: now, status: accepted ? 200 : 429 });
			inFlight.push({ accepted, arrivalHeaders: windowHeaders(arrival) });
			pending--;
			sent++;
		}
	};
	const answer = (index: number) => {
		const [request] = inFlight.splice(index, 1);
		const headers = c.headersAtArrival ? request.arrivalHeaders : windowHeaders(server.peek(now));
		const raw = http(
			request.accepted ? 200 : 429,
			request.accepted ? JOINED : '{"success":false}',
			headers,
		);
		budget.onSettled(readRateLimitHeaders(headers));
		if (!request.accepted) {
			own429s++;
			const soFar = { tries: 1, waitedMs: 0, stopped: false };
			const decision = retryDecision(transientOf(raw), soFar, POLICY, now, half);
			check(decision.retry, 'a 429 is retried');
			if (decision.retry && decision.pausesToken) {
				// As the gate's pauseToken does.
				budget.onRejected();
				budget.pauseUntil(now + decision.waitMs);
			}
			pending++;
		}
	};
	/** Never stuck: it goes, or says how long to wait, or waits for an answer that will come. */
	const checkLive = () => {
		check(
			budget.requestsInFlight === inFlight.length,
			`in flight: budget ${budget.requestsInFlight}, really ${inFlight.length}`,
		);
		if (pending === 0) return;
		const decision = budget.decide(now);
		if (decision.go) return;
		if (decision.waitMs === undefined) {
			check(inFlight.length > 0, `at ${now - NOW} ms: waits for an answer, none in flight`);
		} else {
			check(
				Number.isFinite(decision.waitMs) && decision.waitMs > 0,
				`at ${now - NOW} ms: waits ${decision.waitMs} ms`,
			);
		}
	};

	for (const event of c.events) {
		switch (event.kind) {
			case 'start':
				startWhatIsAllowed();
				break;
			case 'answer':
				if (inFlight.length > 0) answer(event.pick % inFlight.length);
				break;
			case 'answerAll':
				while (inFlight.length > 0) answer(0);
				break;
			case 'advance':
				now += event.ms;
				break;
			case 'toWindowEdge': {
				const edge = (server.windowOf(now) + 1) * server.windowMs + event.deltaMs;
				now = Math.max(now, edge);
				break;
			}
			case 'waitAsTold': {
				const decision = budget.decide(now);
				if (!decision.go && decision.waitMs !== undefined) now += decision.waitMs;
				break;
			}
			case 'other':
				for (let i = 0; i < event.count; i++) server.take(now);
				break;
		}
		checkLive();
	}

	// Drain: answer everything, then send the rest as told, answering at once.
	for (let steps = 0; pending > 0 || inFlight.length > 0; steps++) {
		check(steps < 100_000, 'the drain ends');
		startWhatIsAllowed();
		checkLive();
		if (inFlight.length > 0) {
			answer(inFlight.length - 1);
			continue;
		}
		const decision = budget.decide(now);
		if (!decision.go) {
			check(decision.waitMs !== undefined, 'nothing in flight: a wait is given');
			now += decision.waitMs ?? 0;
		}
	}
	expect(sent).toBe(c.requests + own429s);
	return {
		own429s,
		ownPerWindow: countPerWindow(ours, server.windowMs).map((window) => window.requests),
		sent,
		endMs: now,
	};
}

describe('TokenBudget against a fixed-window server', () => {
	it('spends each window whole, without a 429 (100 per minute, answers at once)', () => {
		const result = simulate({
			limit: 100,
			windowSeconds: 60,
			headersAtArrival: false,
			requests: 1_000,
			startOffsetMs: 17_000,
			events: [],
		});
		expect(result.own429s).toBe(0);
		expect(Math.max(...result.ownPerWindow)).toBe(100);
		// 1000 requests, 100 a window: the first (partial) window and 9 more, none wasted.
		expect(result.ownPerWindow.filter((n) => n === 100).length).toBeGreaterThanOrEqual(9);
		expect(result.endMs).toBeLessThan(NOW + 11 * 60_000);
	});

	it('spends each window whole when the answers come late, in any order', () => {
		const events: SimEvent[] = [];
		for (let i = 0; i < 400; i++) {
			events.push(
				{ kind: 'start' },
				{ kind: 'advance', ms: 700 },
				{ kind: 'answer', pick: (i * 7919) % 13 },
			);
			if (i % 5 === 0) events.push({ kind: 'answer', pick: i });
		}
		const result = simulate({
			limit: 20,
			windowSeconds: 10,
			headersAtArrival: false,
			requests: 300,
			startOffsetMs: 4_321,
			events,
		});
		expect(result.own429s).toBe(0);
		expect(Math.max(...result.ownPerWindow)).toBeLessThanOrEqual(20);
	});

	it('sees another consumer empty the window while ramping up: no 429, everything sent', () => {
		const events: SimEvent[] = [
			{ kind: 'start' },
			{ kind: 'answer', pick: 0 },
			{ kind: 'other', count: 15 },
			{ kind: 'start' },
		];
		for (let i = 0; i < 30; i++) events.push({ kind: 'answer', pick: 0 }, { kind: 'start' });
		const result = simulate({
			limit: 20,
			windowSeconds: 60,
			headersAtArrival: false,
			requests: 50,
			startOffsetMs: 0,
			events,
		});
		expect(result.own429s).toBe(0);
		expect(result.sent).toBe(50);
	});

	const simEvent = (
		windowMs: number,
		limit: number,
		withOthers: boolean,
	): fc.Arbitrary<SimEvent> => {
		const others = {
			arbitrary: fc
				.integer({ min: 1, max: limit })
				.map((count): SimEvent => ({ kind: 'other', count })),
			weight: 1,
		};
		return fc.oneof(
			{ arbitrary: fc.constant<SimEvent>({ kind: 'start' }), weight: 6 },
			{
				arbitrary: fc.nat({ max: 1_000 }).map((pick): SimEvent => ({ kind: 'answer', pick })),
				weight: 6,
			},
			{ arbitrary: fc.constant<SimEvent>({ kind: 'answerAll' }), weight: 1 },
			{
				arbitrary: fc
					.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 2 * windowMs }))
					.map((ms): SimEvent => ({ kind: 'advance', ms })),
				weight: 4,
			},
			{
				arbitrary: fc
					.integer({ min: -2 * RESET_MARGIN_MS, max: 2 * RESET_MARGIN_MS })
					.map((deltaMs): SimEvent => ({ kind: 'toWindowEdge', deltaMs })),
				weight: 2,
			},
			{ arbitrary: fc.constant<SimEvent>({ kind: 'waitAsTold' }), weight: 2 },
			...(withOthers ? [others] : []),
		);
	};

	const simCase = (withOthers: boolean): fc.Arbitrary<SimCase> =>
		fc
			.record({
				limit: fc.integer({ min: 1, max: 50 }),
				windowSeconds: fc.integer({ min: 1, max: 60 }),
			})
			.chain(({ limit, windowSeconds }) =>
				fc.record({
					limit: fc.constant(limit),
					windowSeconds: fc.constant(windowSeconds),
					headersAtArrival: fc.boolean(),
					requests: fc.integer({ min: 1, max: 200 }),
					startOffsetMs: fc.nat({ max: 2 * windowSeconds * 1000 }),
					events: fc.array(simEvent(windowSeconds * 1000, limit, withOthers), { maxLength: 500 }),
				}),
			);

	it('property: alone on the token, never more than the limit in a window (no 429), never stuck', () => {
		fc.assert(
			fc.property(simCase(false), (c) => {
				const result = simulate(c);
				expect(result.own429s).toBe(0);
				for (const count of result.ownPerWindow) expect(count).toBeLessThanOrEqual(c.limit);
			}),
			{ numRuns: 200 },
		);
	});

	it('property: with other consumers on the token, never stuck and everything is sent', () => {
		fc.assert(
			fc.property(simCase(true), (c) => {
				const result = simulate(c);
				expect(result.sent).toBe(c.requests + result.own429s);
			}),
			{ numRuns: 200 },
		);
	});
});
