/**
 * Figures about how a run spent a token's rate limit, read from the emulator's request log:
 * requests and 429s per fixed window, the most tries one code needed, and how close the run came
 * to the fastest finish the limit allows. Pure: the harnesses print these, never assert on time.
 */

/** One logged join request: when the emulator received it, for which code, and its answer. */
export interface LoggedJoin {
	at: number;
	identifier?: unknown;
	status?: number;
}

export interface WindowFigures {
	/** Start of the provider's fixed window, ms since the epoch. */
	startMs: number;
	requests: number;
	rateLimited: number;
}

export interface RateFigures {
	requests: number;
	rateLimited: number;
	/** 429s ÷ requests (0 when there were no requests). */
	rateLimitedRatio: number;
	/** The most requests any one code needed. */
	mostTries: number;
	/** Every window from the first request's to the last's, empty ones included. */
	windows: WindowFigures[];
	/** The most requests sent into one window, 429s included. */
	mostRequestsInWindow: number;
	/** From the run's start to its end (by default, from the first request to the last accepted one). */
	actualMs: number;
	/** The least time the limit allows for that many accepted requests from the same start. */
	fastestLegalMs: number;
	/** fastestLegalMs ÷ actualMs: 1 is as fast as the limit allows. */
	efficiency: number;
}

/**
 * @param joins The join requests of the run, the token's whole traffic (other clients included).
 * @param limit Requests the token may make per window; windows are aligned to multiples of windowMs,
 * as the emulator's are.
 * @param span When the run started and ended as its user saw it (posted, answered), so that
 * efficiency counts everything around the requests too; by default the requests' own span.
 */
export function rateFigures(
	joins: readonly LoggedJoin[],
	limit: number,
	windowMs: number,
	span: { fromMs?: number; toMs?: number } = {},
): RateFigures {
	if (!(limit > 0) || !(windowMs > 0)) throw new RangeError('limit and windowMs must be positive');
	const sorted = [...joins].sort((a, b) => a.at - b.at);
	const rateLimited = sorted.filter((entry) => entry.status === 429).length;
	const tries = new Map<string, number>();
	for (const entry of sorted) {
		const code = JSON.stringify(entry.identifier ?? null);
		tries.set(code, (tries.get(code) ?? 0) + 1);
	}
	const windows = countPerWindow(sorted, windowMs);
	const accepted = sorted.filter((entry) => entry.status !== 429);
	const fromMs = span.fromMs ?? sorted[0]?.at ?? 0;
	const toMs = span.toMs ?? (accepted.length > 0 ? accepted[accepted.length - 1].at : fromMs);
	const actualMs = Math.max(0, toMs - fromMs);
	const fastestLegalMs = fastestLegalFinishMs(fromMs, accepted.length, limit, windowMs);
	return {
		requests: sorted.length,
		rateLimited,
		rateLimitedRatio: sorted.length > 0 ? rateLimited / sorted.length : 0,
		mostTries: largest(tries.values()),
		windows,
		mostRequestsInWindow: largest(windows.map((window) => window.requests)),
		actualMs,
		fastestLegalMs,
		efficiency: actualMs > 0 ? Math.min(1, fastestLegalMs / actualMs) : 1,
	};
}

/**
 * Requests and 429s per fixed window (aligned to multiples of windowMs, as the emulator's are),
 * every window from the first request's to the last's, empty ones included; with `span`, every
 * window from span.fromMs's to span.toMs's instead.
 */
export function countPerWindow(
	joins: readonly LoggedJoin[],
	windowMs: number,
	span?: { fromMs: number; toMs: number },
): WindowFigures[] {
	if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
	if (!span && joins.length === 0) return [];
	let earliest = Infinity;
	let latest = -Infinity;
	for (const { at } of joins) {
		earliest = Math.min(earliest, at);
		latest = Math.max(latest, at);
	}
	const first = windowIndex(span?.fromMs ?? earliest, windowMs);
	const last = windowIndex(span?.toMs ?? latest, windowMs);
	const windows: WindowFigures[] = [];
	for (let index = first; index <= last; index++)
		windows.push({ startMs: index * windowMs, requests: 0, rateLimited: 0 });
	for (const entry of joins) {
		const window = windows[windowIndex(entry.at, windowMs) - first];
		if (!window) continue;
		window.requests++;
		if (entry.status === 429) window.rateLimited++;
	}
	return windows;
}

/**
 * The earliest the `accepted`-th request can be accepted when the first goes at firstAtMs into a
 * fresh window: `limit` per window, so it lands in the (⌈accepted ÷ limit⌉)-th window counting
 * the first one, at that window's start at the earliest. Returned relative to firstAtMs.
 */
export function fastestLegalFinishMs(
	firstAtMs: number,
	accepted: number,
	limit: number,
	windowMs: number,
): number {
	if (accepted <= limit) return 0;
	const lastWindow = windowIndex(firstAtMs, windowMs) + Math.ceil(accepted / limit) - 1;
	return lastWindow * windowMs - firstAtMs;
}

/** The largest value, 0 for none; a loop, since spreading a long run's windows into Math.max overflows the stack. */
function largest(values: Iterable<number>): number {
	let most = 0;
	for (const value of values) if (value > most) most = value;
	return most;
}

function windowIndex(atMs: number, windowMs: number): number {
	return Math.floor(atMs / windowMs);
}

/** The figures as a few printable lines: totals, then one line per window. */
export function formatRateFigures(title: string, figures: RateFigures): string {
	const percent = (figures.rateLimitedRatio * 100).toFixed(1);
	const lines = [
		`${title}: ${figures.requests} requests, ${figures.rateLimited} × 429 (${percent}%), most tries for one code ${figures.mostTries}, most requests in one window ${figures.mostRequestsInWindow}, efficiency ${figures.efficiency.toFixed(2)} (fastest legal finish ${(figures.fastestLegalMs / 1000).toFixed(1)} s ÷ actual ${(figures.actualMs / 1000).toFixed(1)} s)`,
		`  per window (requests / 429s): ${figures.windows.map((window) => `${window.requests}/${window.rateLimited}`).join('  ')}`,
	];
	return lines.join('\n');
}
