/** trigger/authorization.ts: the secret and the Authorization check. */
import { createHash } from 'node:crypto';

import fc from 'fast-check';

import {
	authorizationHash,
	authorizationMatches,
	bearer,
	newWebhookSecret,
} from '../../nodes/RyzeApi/trigger/authorization';

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('newWebhookSecret', () => {
	it('is 32 random bytes in base64url', () => {
		const secret = newWebhookSecret();
		expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
		expect(newWebhookSecret()).not.toBe(secret);
	});

	it('takes its bytes from the random source given', () => {
		expect(newWebhookSecret((size) => Buffer.alloc(size, 0xff))).toBe('_'.repeat(42) + '8');
	});
});

describe('authorizationHash', () => {
	it('is the sha256 (hex) of the whole header value, Bearer included', () => {
		const header = 'Bearer c2VjcmV0';
		expect(authorizationHash(header)).toBe(sha256Hex(header));
		expect(authorizationHash(header)).toMatch(/^[0-9a-f]{64}$/);
		expect(authorizationHash(header)).not.toContain('c2VjcmV0');
	});
});

describe('authorizationMatches', () => {
	const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I';
	const STORED = sha256Hex(`Bearer ${SECRET}`);

	it.each([
		['the exact header', `Bearer ${SECRET}`, true],
		['the first of repeated headers', [`Bearer ${SECRET}`, 'x'], true],
		['no header', undefined, false],
		['an empty header', '', false],
		['the secret without Bearer', SECRET, false],
		['another scheme', `Basic ${SECRET}`, false],
		['lowercase bearer', `bearer ${SECRET}`, false],
		['a trailing space', `Bearer ${SECRET} `, false],
		['a prefix of the secret', `Bearer ${SECRET.slice(0, -1)}`, false],
		['a number', 42, false],
	])('%s', (_name, header, expected) => {
		expect(authorizationMatches(header, STORED)).toBe(expected);
	});

	it('compares against the stored hash only: the secret itself (as older builds stored it) matches nothing', () => {
		expect(authorizationMatches(`Bearer ${SECRET}`, SECRET)).toBe(false);
		expect(authorizationMatches(`Bearer ${SECRET}`, `Bearer ${SECRET}`)).toBe(false);
		expect(authorizationMatches(STORED, STORED)).toBe(false);
	});

	it('matches nothing when no hash, or not a hash, is stored', () => {
		expect(authorizationMatches('Bearer ', '')).toBe(false);
		expect(authorizationMatches('Bearer undefined', undefined)).toBe(false);
		expect(authorizationMatches(`Bearer ${SECRET}`, STORED.slice(0, 62))).toBe(false);
		expect(authorizationMatches(`Bearer ${SECRET}`, `${STORED}00`)).toBe(false);
		expect(authorizationMatches(`Bearer ${SECRET}`, STORED.toUpperCase().replace(/./, 'Z'))).toBe(
			false,
		);
	});

	it('compares equal-length buffers in constant time (timingSafeEqual)', () => {
		const crypto = jest.requireActual<typeof import('node:crypto')>('node:crypto');
		const spy = jest.spyOn(crypto, 'timingSafeEqual');
		try {
			expect(authorizationMatches(`Bearer ${SECRET}`, STORED)).toBe(true);
			expect(authorizationMatches('Bearer x', STORED)).toBe(false);
			expect(spy).toHaveBeenCalledTimes(2);
			for (const [a, b] of spy.mock.calls) {
				expect((a as Buffer).length).toBe(32);
				expect((b as Buffer).length).toBe(32);
			}
		} finally {
			spy.mockRestore();
		}
	});

	it('property: matches iff the header is exactly Bearer and the secret', () => {
		fc.assert(
			fc.property(fc.string({ minLength: 1 }), fc.string(), (secret, header) => {
				const stored = authorizationHash(bearer(secret));
				expect(authorizationMatches(header, stored)).toBe(header === bearer(secret));
				expect(authorizationMatches(bearer(secret), stored)).toBe(true);
			}),
			{ numRuns: 1000, seed: 20250116 },
		);
	});
});
