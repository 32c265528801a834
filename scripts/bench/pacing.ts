/**
 * Pacing: one run of the node on a token alone, and one while another client spends ~40% of every
 * window; how much of each full window the node used, the 429s, and how long a window stayed idle
 * at its start.
 */
import type { LoggedJoin } from '../../test/support/rateFigures';
import { COMPETITOR_CODE, startCompetingClient } from '../../test/support/emulator/competingClient';
import { startEmulator } from '../../test/support/emulator/server';
import { codes, fullWindows, itemsOut, median, progress, runOurs, sizes, sum } from './context';
import type { Report } from './report';

/** The other client's share of each window, in the run with a competitor. */
const COMPETITOR_SHARE = 0.4;

interface PacingRun {
	efficiency: number;
	competitorShare: number;
	rateLimited: number;
	lost: number;
	ourRequests: number;
	windows: number;
	idleMs: number;
}

/** Records the pacing figures; resolves with the items the two runs lost. */
export async function benchPacing(report: Report): Promise<{ lost: number }> {
	progress('pacing alone');
	const alone = await pacing(false);
	report.record(
		'pacing_efficiency',
		alone.efficiency,
		`joins per full window ÷ limit (${sizes.limit} per ${sizes.windowMs} ms, ${alone.windows} full windows)`,
	);
	report.record(
		'rate_limited_responses',
		alone.rateLimited,
		`429s in that run (${alone.ourRequests} requests)`,
	);

	progress('pacing with a competing client');
	const shared = await pacing(true);
	report.record(
		'shared_bucket_429_ratio',
		shared.ourRequests ? shared.rateLimited / shared.ourRequests : 0,
		`429s ÷ our requests while another client spends ~40% (${shared.rateLimited}/${shared.ourRequests})`,
	);
	report.record(
		'shared_bucket_efficiency',
		shared.efficiency,
		`our joins per full window ÷ the 60% left to us (the other client got ${Math.round(shared.competitorShare * 100)}% of all joins)`,
	);
	report.record(
		'window_start_idle_ms',
		alone.idleMs,
		`from each full window's start to our first request in it, median (the announced reset plus the node's 50 ms margin and one round trip)`,
	);
	return { lost: alone.lost + shared.lost };
}

async function pacing(withCompetitor: boolean): Promise<PacingRun> {
	const { limit, windowMs, pacingWindows } = sizes;
	const emulator = await startEmulator({ rateLimit: { limit, windowMs }, latencyMs: 2 });
	const theirShare = withCompetitor ? Math.round(limit * COMPETITOR_SHARE) : 0;
	const competitor = withCompetitor
		? startCompetingClient(emulator.url, { perWindow: theirShare, windowMs })
		: undefined;
	// Enough items to keep the budget busy for the whole span: what the competitor leaves us.
	const items = codes(
		Math.round(limit * (withCompetitor ? 1 - COMPETITOR_SHARE : 1) * pacingWindows),
	);
	const started = Date.now();
	const { result } = await runOurs(emulator, items);
	const finished = Date.now();
	await competitor?.stop();
	const joins = emulator.joinRequests();
	await emulator.close();
	const ours = joins.filter((entry) => entry.identifier !== COMPETITOR_CODE);
	const ourAccepted = ours.filter((entry) => entry.status === 200).length;
	const theirs = joins.filter(
		(entry) => entry.identifier === COMPETITOR_CODE && entry.status === 200,
	).length;
	const full = fullWindows(ours, windowMs, started, finished);
	const acceptedPerWindow = full.map((window) => window.requests - window.rateLimited);
	const ourShare = limit - theirShare;
	return {
		efficiency: full.length ? sum(acceptedPerWindow) / full.length / ourShare : 0,
		competitorShare: theirs / Math.max(1, theirs + ourAccepted),
		rateLimited: ours.filter((entry) => entry.status === 429).length,
		lost: items.length - itemsOut(result),
		ourRequests: ours.length,
		windows: full.length,
		idleMs: windowStartIdle(ours, windowMs, started, finished),
	};
}

/**
 * How long each full window stayed unused at its start: from the window's start to the first of
 * our requests the emulator received in it (the median over the windows).
 */
function windowStartIdle(
	requests: readonly LoggedJoin[],
	windowMs: number,
	fromMs: number,
	toMs: number,
): number {
	const idle: number[] = [];
	for (const window of fullWindows(requests, windowMs, fromMs, toMs)) {
		const first = requests.find(
			(entry) => entry.at >= window.startMs && entry.at < window.startMs + windowMs,
		);
		if (first) idle.push(first.at - window.startMs);
	}
	return idle.length ? median(idle) : 0;
}
