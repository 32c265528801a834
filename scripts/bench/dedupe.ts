/** Duplicates: a run where every code comes three times costs one request per distinct code. */
import { startEmulator } from '../../test/support/emulator/server';
import { codes, progress, runOurs, sizes, UNLIMITED } from './context';
import type { Report } from './report';

export async function benchDedupe(report: Report): Promise<void> {
	progress('duplicates');
	const emulator = await startEmulator(UNLIMITED);
	const distinct = sizes.dedupeItems / 3;
	await runOurs(emulator, codes(sizes.dedupeItems, distinct));
	const requests = emulator.joinRequests().length;
	await emulator.close();
	report.record('dedupe_requests', requests, `requests for ${sizes.dedupeItems} items`);
	report.record('dedupe_distinct', distinct, 'distinct codes among them');
}
