/** trigger/redaction.ts: the instance's token survives nowhere in a delivery's JSON. */
import fc from 'fast-check';

import { redactToken } from '../../nodes/RyzeApi/trigger/redaction';

/** What stands where the instance's token was. */
const REDACTED = '[redacted]';
import { stringsOf } from '../support/jsonStrings';

describe('redactToken', () => {
	const TOKEN = 'inst-token-7f3a9c1e5b';

	it('replaces the token as a value, inside a string, and as a key, at any depth', () => {
		const data = {
			token: TOKEN,
			url: `https://x.example/cb?t=${TOKEN}&a=1`,
			list: [1, null, true, { deep: [TOKEN] }],
			[TOKEN]: 'key',
		};
		expect(redactToken(data, TOKEN)).toEqual({
			token: REDACTED,
			url: `https://x.example/cb?t=${REDACTED}&a=1`,
			list: [1, null, true, { deep: [REDACTED] }],
			[REDACTED]: 'key',
		});
	});

	it('leaves the input untouched and copies nothing when there is no token', () => {
		const data = { a: [TOKEN] };
		expect(redactToken(data, undefined)).toBe(data);
		expect(redactToken(data, '')).toBe(data);
		redactToken(data, TOKEN);
		expect(data).toEqual({ a: [TOKEN] });
	});

	it('keeps a key named __proto__ a plain key', () => {
		const data = JSON.parse(`{"__proto__": {"x": "${TOKEN}"}}`) as unknown;
		const copy = redactToken(data, TOKEN) as Record<string, unknown>;
		expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
		expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ x: REDACTED });
	});

	it('does not bring the token back when pieces join or the token is part of the placeholder', () => {
		expect(stringsOf(redactToken({ a: 'd]d]xx' }, 'd]x'))).not.toContainEqual(
			expect.stringContaining('d]x'),
		);
		expect(stringsOf(redactToken(['a [redacted] e'], 'e')).join('')).not.toContain('e');
	});

	it('survives nesting far deeper than the stack', () => {
		let deep: unknown = TOKEN;
		for (let depth = 0; depth < 100_000; depth++) deep = [deep];
		let copy = redactToken(deep, TOKEN);
		for (let depth = 0; depth < 100_000; depth++) copy = (copy as unknown[])[0];
		expect(copy).toBe(REDACTED);
	});

	it('property: the token is in no key and no string of any JSON, the rest keeps its shape', () => {
		fc.assert(
			fc.property(fc.jsonValue(), fc.string({ minLength: 1, maxLength: 12 }), (json, token) => {
				const withToken = [json, [token, `x${token}y`], { [token]: json }];
				const copy = redactToken(withToken, token) as unknown[];
				for (const text of stringsOf(copy)) expect(text.includes(token)).toBe(false);
				// Where no key holds the token, numbers, booleans, nulls and the nesting are kept.
				const shape = (value: unknown): string =>
					JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? 's' : v));
				const keyHolds = JSON.stringify(json, (_key, v: unknown) =>
					typeof v === 'object' &&
					v !== null &&
					!Array.isArray(v) &&
					Object.keys(v).some((k) => k.includes(token))
						? 'KEY'
						: v,
				).includes('"KEY"');
				if (!keyHolds) expect(shape(copy[0])).toBe(shape(json));
			}),
			{ numRuns: 500, seed: 20250115 },
		);
	});
});
