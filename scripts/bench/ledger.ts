/**
 * The join ledger's cost (Join Group 1.2, the file store of one n8n process): the same rows joined
 * with the ledger and without it (version 1.1), interleaved rounds, each a new instance so no code
 * is known yet; then the same rows again, all known. Counts the ledger's steps (each one read and
 * write of the store: a query) per 1,000 items, by wrapping the store's update.
 */
import { startEmulator } from '../../test/support/emulator/server';
import { codes, itemsOut, median, progress, runOurs, sizes, UNLIMITED } from './context';
import type { Report } from './report';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { EmbeddedLedger } = require('../../dist/nodes/RyzeApi/ledger/embeddedStore') as {
	EmbeddedLedger: { prototype: { update: (...args: unknown[]) => Promise<unknown> } };
};

const ROUNDS = 3;
/** The budget out of the way: what is measured is the ledger's bookkeeping, not its waiting. */
const NO_BUDGET = {
	maxJoinsPerHour: 0,
	maxJoinsPerDay: 0,
	activeHoursFrom: '',
	activeHoursTo: '',
	minDelaySeconds: 0,
	maxDelaySeconds: 0,
};

export async function benchLedger(report: Report): Promise<{ lost: number }> {
	progress(`join ledger: ${sizes.ledgerItems} rows with and without it`);
	const steps = countSteps();
	const instances = Object.fromEntries(
		Array.from({ length: 2 * ROUNDS + 2 }, (_, index) => [`ledger-${index}`, 'connected' as const]),
	);
	const emulator = await startEmulator({ ...UNLIMITED, latencyMs: 2, instances });
	const items = codes(sizes.ledgerItems);
	await runOurs(emulator, codes(200), NO_BUDGET, { typeVersion: 1.2, instanceName: 'ledger-warm' });
	const samples = { without: [] as number[], with: [] as number[], steps: [] as number[] };
	let lost = 0;
	for (let round = 0; round < ROUNDS; round++) {
		progress(`  round ${round + 1} of ${ROUNDS}: without the ledger, with it`);
		const without = await runOurs(emulator, items, NO_BUDGET, { instanceName: `ledger-${round}` });
		samples.without.push(without.ms);
		const before = steps.count;
		const withLedger = await runOurs(emulator, items, NO_BUDGET, {
			typeVersion: 1.2,
			instanceName: `ledger-${ROUNDS + round}`,
		});
		samples.with.push(withLedger.ms);
		samples.steps.push(steps.count - before);
		lost += items.length * 2 - itemsOut(without.result) - itemsOut(withLedger.result);
	}
	const before = steps.count;
	const again = await runOurs(emulator, items, NO_BUDGET, {
		typeVersion: 1.2,
		instanceName: `ledger-${ROUNDS}`,
	});
	const againSteps = steps.count - before;
	const requestsAgain = emulator
		.joinRequests()
		.filter((request) => request.instance === `ledger-${ROUNDS}`).length;
	await emulator.close();
	const perThousand = (count: number) => (count * 1000) / items.length;
	report.record(
		'ledger_queries_per_1000_items',
		perThousand(median(samples.steps)),
		`ledger steps (one read and write of its store each) per 1,000 rows, ${items.length} new codes, median of ${ROUNDS}`,
	);
	report.record(
		'ledger_time_ratio',
		median(samples.with) / median(samples.without),
		`${items.length} rows with the ledger ${Math.round(median(samples.with))} ms ÷ without ${Math.round(median(samples.without))} ms (version 1.1), medians of ${ROUNDS}, 2 ms latency`,
	);
	report.record(
		'ledger_queries_per_1000_known',
		perThousand(againSteps),
		`the same ${items.length} rows again, all joined: ${againSteps} steps, ${requestsAgain - items.length} requests, ${Math.round(again.ms)} ms`,
	);
	return { lost: lost + items.length - itemsOut(again.result) };
}

/** Counts the file store's steps from now on (the bench's own instrument, not the product's). */
function countSteps(): { count: number } {
	const counter = { count: 0 };
	const original = EmbeddedLedger.prototype.update;
	EmbeddedLedger.prototype.update = async function (this: unknown, ...args: unknown[]) {
		counter.count++;
		return await original.apply(this, args);
	};
	return counter;
}
