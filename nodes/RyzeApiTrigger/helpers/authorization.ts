import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes: what a guesser would have to find, far beyond reach. */
const SECRET_BYTES = 32;

/** A new secret for one registration, URL-safe so it fits a header as is. */
export function newWebhookSecret(random: (size: number) => Buffer = randomBytes): string {
	return random(SECRET_BYTES).toString('base64url');
}

/** The value RyzeAPI sends back as the Authorization header of every delivery. */
export function bearer(secret: string): string {
	return `Bearer ${secret}`;
}

/**
 * Whether a delivery's Authorization header is `Bearer <secret>`. Both sides are hashed first, so
 * the comparison takes the same time whatever the lengths and wherever they differ. No secret
 * stored (the trigger never registered, or was deactivated) matches nothing. Pure.
 */
export function authorizationMatches(header: unknown, secret: string | undefined): boolean {
	if (typeof secret !== 'string' || secret === '') return false;
	const received = Array.isArray(header) ? header[0] : header;
	if (typeof received !== 'string') return false;
	const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
	return timingSafeEqual(digest(received), digest(bearer(secret)));
}
