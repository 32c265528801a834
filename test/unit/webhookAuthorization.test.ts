/** RyzeApiTrigger/helpers/authorization.ts: the secret and the Authorization check. */
import fc from 'fast-check';

import {
	authorizationMatches,
	bearer,
	newWebhookSecret,
} from '../../nodes/RyzeApiTrigger/helpers/authorization';

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

describe('authorizationMatches', () => {
	const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I';

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
		expect(authorizationMatches(header, SECRET)).toBe(expected);
	});

	it('matches nothing when no secret is stored', () => {
		expect(authorizationMatches('Bearer ', '')).toBe(false);
		expect(authorizationMatches('Bearer undefined', undefined)).toBe(false);
	});

	it('property: matches iff the header is exactly Bearer and the secret', () => {
		fc.assert(
			fc.property(fc.string({ minLength: 1 }), fc.string(), (secret, header) => {
				expect(authorizationMatches(header, secret)).toBe(header === bearer(secret));
				expect(authorizationMatches(bearer(secret), secret)).toBe(true);
			}),
			{ numRuns: 1000, seed: 20250116 },
		);
	});
});
