/**
 * The drip-feed the examples build (examples/drip-feed-join-groups.json): Join Group 1.2 on its
 * defaults, run every hour over the rows not done yet, on a clock that moves an hour between runs
 * (and through every pause at once). A list finishes over days, every row ends joined, pending or
 * refused, and no hour and no day ever holds more joins than the budget: counted from what reached
 * the emulator, not from what the node says.
 */
import type { IDataObject } from 'n8n-workflow';

import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import { useClock } from '../../nodes/RyzeApi/shared/clock';
import { ACCOUNT_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import { runRyzeApiNode, shutDownEngine } from '../support/engine';
import { manualClock } from '../support/manualClock';
import { useEmulator } from '../support/useEmulator';

const HOUR_MS = 3_600_000;
const emulator = useEmulator();
afterAll(shutDownEngine);
afterEach(() => useClock());

test('a 100-row list, an hour apart on the defaults: 3 an hour, 10 a day, in daytime, every row done', async () => {
	// Noon in New York (the workflow's default time zone), inside the default Active Hours.
	const clock = manualClock(Date.UTC(2026, 2, 2, 17, 0));
	useClock(clock);
	emulator.configure({ now: clock.now, rateLimit: false });
	const rows: IDataObject[] = Array.from({ length: 100 }, (_, index) => ({
		row: index,
		link: `https://chat.whatsapp.com/${index % 10 === 9 ? 'Approval' : 'Open'}Drip${index}`,
	}));
	const done = new Map<number, IDataObject>();
	let runs = 0;
	while (done.size < rows.length && runs < 24 * 30) {
		runs++;
		const todo = rows.filter((row) => !done.has(row.row as number));
		const result = await runRyzeApiNode({
			nodeType: new RyzeApi(),
			typeVersion: 1.2,
			items: todo,
			parameters: {
				resource: 'group',
				operation: 'join',
				identifier: '={{ $json.link }}',
				options: {},
			},
			credentials: { baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: ACCOUNT_TOKEN },
		});
		expect(result.error).toBeUndefined();
		const [success, failed, deferred] = result.outputs ?? [];
		// Every row of the run comes out once: done, or deferred to a later hour.
		expect(success.length + failed.length + deferred.length).toBe(todo.length);
		expect(failed).toEqual([]);
		for (const item of success) done.set(item.json.row as number, item.json);
		clock.advance(HOUR_MS);
	}
	expect(done.size).toBe(100);
	const statuses = [...done.values()].map((row) => row.status);
	expect(statuses.filter((status) => status === 'pending_approval')).toHaveLength(10);

	const times = emulator.joinRequests().map((request) => request.at);
	// Each code once: nothing joined was sent again in a later hour.
	expect(times).toHaveLength(100);
	for (const at of times) {
		expect(times.filter((other) => other > at - HOUR_MS && other <= at).length).toBeLessThanOrEqual(
			3,
		);
		expect(
			times.filter((other) => other > at - 24 * HOUR_MS && other <= at).length,
		).toBeLessThanOrEqual(10);
		const newYorkHour = Number(
			new Intl.DateTimeFormat('en-US', {
				timeZone: 'America/New_York',
				hour: '2-digit',
				hourCycle: 'h23',
			}).format(at),
		);
		expect(newYorkHour).toBeGreaterThanOrEqual(8);
		expect(newYorkHour).toBeLessThan(20);
	}
	// Ten a day: ten days, give or take the first and last.
	const days = (Math.max(...times) - Math.min(...times)) / (24 * HOUR_MS);
	expect(days).toBeGreaterThan(8);
	expect(days).toBeLessThan(11);
}, 120_000);
