/**
 * `npm run bench [-- --quick] [-- --write | --no-write]`: throughput and pacing of the Join Group
 * node in n8n's engine against the emulator, one scenario after the other (scripts/bench/). Prints
 * a table, then one JSON object as the last line, and writes the figures with the date and the
 * machine to BENCHMARK.md: a full run always (unless --no-write), a --quick one only with --write
 * (its smaller runs are for a look, not for the record). Every figure is a count or a ratio of
 * runs measured side by side in this process; nothing here is a test.
 */
import '../test/support/env';

import { loadavg } from 'node:os';
import { join } from 'node:path';

import { shutDownEngine } from '../test/support/engine';
import { closeDispatchers, progress, quick } from './bench/context';
import { benchDedupe } from './bench/dedupe';
import { benchLedger } from './bench/ledger';
import { benchPacing } from './bench/pacing';
import { benchQueue } from './bench/queue';
import { Report } from './bench/report';
import { benchScale } from './bench/scale';
import { benchSpeed } from './bench/speed';

const BENCHMARK_FILE = join(__dirname, '..', 'BENCHMARK.md');

async function main(): Promise<void> {
	const started = performance.now();
	const loadBefore = loadavg();
	const report = new Report();
	const pacing = await benchPacing(report);
	await benchQueue(report);
	await benchDedupe(report);
	await benchSpeed(report);
	const ledger = await benchLedger(report);
	const scale = benchScale(report);
	report.record(
		'items_lost',
		pacing.lost + scale.lost + ledger.lost,
		'items missing from both outputs, all runs',
	);
	await closeDispatchers();
	shutDownEngine();

	const seconds = Math.round((performance.now() - started) / 1000);
	report.print(`RyzeAPI Join Group benchmark${quick ? ' (--quick)' : ''}, ${seconds} s`);
	const write =
		process.argv.includes('--write') || (!quick && !process.argv.includes('--no-write'));
	if (!write) return progress('BENCHMARK.md left as it is (a --quick run writes it with --write)');
	const command = `npm run bench${quick ? ' -- --quick --write' : ''}`;
	await report.writeMarkdown(BENCHMARK_FILE, {
		date: new Date(),
		seconds,
		command,
		quick,
		loadBefore,
	});
	progress(`figures written to ${BENCHMARK_FILE}`);
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.stack : error);
	process.exitCode = 1;
});
