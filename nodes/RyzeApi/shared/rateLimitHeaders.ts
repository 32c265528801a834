/**
 * What the provider's rate-limit headers say (its "Rate limit" guide): the token's limit,
 * what remains of the current window, and when it resets. Parsing only; what follows from them is
 * decided in runner/startGate.ts (when to start) and runner/retryPolicy.ts (when to retry).
 */

export interface RateLimitSnapshot {
	limit: number;
	remaining: number;
	/** When the provider's counter resets, in ms since the epoch (from X-RateLimit-Reset seconds). */
	resetAtMs: number;
}

/** The provider's default, assumed until its headers say otherwise. */
export const ASSUMED_LIMIT = 100;
export const ASSUMED_WINDOW_MS = 60_000;
/** Slack after the announced reset before spending the new window: clocks and rounding differ. */
export const RESET_MARGIN_MS = 50;
/** The provider's own example waits at least this long on a 429. */
export const MIN_RATE_LIMIT_WAIT_MS = 1_000;

export function readRateLimitHeaders(
	headers: Record<string, string | undefined>,
): RateLimitSnapshot | undefined {
	const limit = wholeNumber(headers['x-ratelimit-limit']);
	const remaining = wholeNumber(headers['x-ratelimit-remaining']);
	const reset = wholeNumber(headers['x-ratelimit-reset']);
	if (limit === undefined || remaining === undefined || reset === undefined || limit === 0)
		return undefined;
	return { limit, remaining: Math.min(remaining, limit), resetAtMs: reset * 1000 };
}

function wholeNumber(value: string | undefined): number | undefined {
	if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
	const number = Number(value);
	return Number.isSafeInteger(number) ? number : undefined;
}

/** Retry-After as a wait in ms: delay-seconds or an HTTP-date (RFC 9110); undefined if absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
	if (value === undefined) return undefined;
	const text = value.trim();
	if (/^\d+$/.test(text)) {
		const seconds = Number(text);
		return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
	}
	// Only the three forms of HTTP-date (RFC 9110 §5.6.7); Date.parse alone reads almost anything.
	let date: number;
	if (IMF_FIXDATE.test(text) || RFC_850_DATE.test(text)) date = Date.parse(text);
	else if (ASCTIME_DATE.test(text)) date = Date.parse(`${text} GMT`);
	else return undefined;
	return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC_850_DATE = /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;
