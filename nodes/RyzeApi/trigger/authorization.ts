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
 * What the workflow's static data keeps of the secret: the sha256 (hex) of the whole header value
 * RyzeAPI sends back, `Bearer <secret>`. n8n copies static data into every execution it stores
 * and returns it with the workflow, so the secret itself is never kept there.
 */
export function authorizationHash(authorization: string): string {
	return createHash('sha256').update(authorization, 'utf8').digest('hex');
}

const HASH = /^[0-9a-f]{64}$/;

/**
 * Whether a delivery's Authorization header (or a row's authorization) is the one whose hash is
 * stored. The received value is hashed and the two digests are compared in constant time, so the
 * comparison takes the same time whatever the lengths and wherever they differ. Nothing stored, or
 * anything but a hash (the plain secret an older build kept), matches nothing. Pure.
 */
export function authorizationMatches(header: unknown, storedHash: string | undefined): boolean {
	if (typeof storedHash !== 'string' || !HASH.test(storedHash)) return false;
	const received = Array.isArray(header) ? header[0] : header;
	if (typeof received !== 'string') return false;
	return timingSafeEqual(
		Buffer.from(authorizationHash(received), 'hex'),
		Buffer.from(storedHash, 'hex'),
	);
}
