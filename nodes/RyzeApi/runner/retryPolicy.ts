/**
 * Whether an answer is worth another try, and after how long: a pure function of the answer,
 * the tries so far, a clock and a random number. The loop that waits and tries again is
 * runner/runOperation.ts; this file decides, it never waits.
 */
import type { RawAnswer } from '../shared/interfaces';
import {
	MIN_RATE_LIMIT_WAIT_MS,
	readRateLimitHeaders,
	RESET_MARGIN_MS,
} from '../shared/rateLimitHeaders';

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

export interface RetryPolicy {
	/** Attempts in all, the first included. */
	maxTries: number;
	/** Base of the exponential backoff. */
	baseDelayMs: number;
	/** Cap of one backoff wait. */
	maxDelayMs: number;
	/**
	 * Whether the operation may be repeated safely (default true). When it may not, only a 429 is
	 * tried again: the API refused that request before acting on it.
	 */
	idempotent?: boolean;
}

export type RetryDecision =
	{ retry: false } | { retry: true; waitMs: number; why: string; rateLimited: boolean };

/**
 * Whether an answer is worth another attempt, and after how long. Retried: what classifyAnswer
 * calls transient — 429 (until Retry-After, else the announced reset, at least 1 s; with requests
 * remaining, WhatsApp throttling: backoff), 5xx, no answer (reset, refused, timeout) and a 2xx
 * whose body could not be read — and, for an operation that is not idempotent, only the 429.
 * Never retried: other 4xx, 3xx, and answers that were understood.
 */
export function retryDecision(
	answer: RawAnswer,
	transient: boolean,
	triesSoFar: number,
	policy: RetryPolicy,
	nowMs: number,
	random: () => number,
): RetryDecision {
	if (triesSoFar >= policy.maxTries || !transient) return { retry: false };
	const rateLimited = answer.kind === 'http' && answer.status === 429;
	if (policy.idempotent === false && !rateLimited) return { retry: false };
	const backoff = fullJitterBackoff(triesSoFar, policy, random);
	if (answer.kind === 'noAnswer') {
		return {
			retry: true,
			waitMs: backoff,
			why: answer.failure === 'timeout' ? 'no answer in time' : 'could not reach RyzeAPI',
			rateLimited: false,
		};
	}
	if (answer.status === 429) {
		const minWait = MIN_RATE_LIMIT_WAIT_MS;
		const retryAfter = parseRetryAfter(answer.headers['retry-after'], nowMs);
		if (retryAfter !== undefined) {
			return {
				retry: true,
				waitMs: Math.max(minWait, retryAfter),
				why: 'rate limited (Retry-After)',
				rateLimited: true,
			};
		}
		const snapshot = readRateLimitHeaders(answer.headers);
		if (snapshot && snapshot.remaining > 0) {
			// Requests remain, so this is WhatsApp throttling, not the token's window.
			return {
				retry: true,
				waitMs: Math.max(minWait, backoff),
				why: 'throttled by WhatsApp',
				rateLimited: true,
			};
		}
		const untilReset = snapshot ? snapshot.resetAtMs + RESET_MARGIN_MS - nowMs : backoff;
		return {
			retry: true,
			waitMs: Math.max(minWait, untilReset),
			why: 'rate limit reached',
			rateLimited: true,
		};
	}
	return { retry: true, waitMs: backoff, why: `HTTP ${answer.status}`, rateLimited: false };
}

/** "Full jitter": uniformly random in [0, min(cap, base·2^(n−1))], so retries from many clients spread out. */
export function fullJitterBackoff(
	triesSoFar: number,
	policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
	random: () => number,
): number {
	const ceiling = Math.min(
		policy.maxDelayMs,
		policy.baseDelayMs * 2 ** Math.max(0, triesSoFar - 1),
	);
	return Math.floor(random() * ceiling);
}
