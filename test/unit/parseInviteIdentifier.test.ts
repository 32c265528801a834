/**
 * The identifier parser: what users paste, what it accepts (the code it reads) and what it refuses
 * (before any request), as tables of real-world forms and as properties over generated input.
 */
import fc from 'fast-check';

import { MAX_CODE_LENGTH, MAX_IDENTIFIER_LENGTH, parseInviteIdentifier } from '../../nodes/RyzeApi/helpers/inviteCode';

const CODE22 = 'AbCdEfGhIjKlMnOpQrStUv';

describe('accepted forms give the code, case preserved', () => {
	test.each<[string, unknown, string]>([
		['bare public code', CODE22, CODE22],
		['bare short code from the provider docs', 'ABC123XYZ', 'ABC123XYZ'],
		['bare 16-character code', 'Ab12Cd34Ef56Gh78', 'Ab12Cd34Ef56Gh78'],
		['a 64-character code', 'a'.repeat(64), 'a'.repeat(64)],
		['https link', `https://chat.whatsapp.com/${CODE22}`, CODE22],
		['http link', `http://chat.whatsapp.com/${CODE22}`, CODE22],
		['scheme-less link', `chat.whatsapp.com/${CODE22}`, CODE22],
		['upper-case scheme and host', `HTTPS://CHAT.WHATSAPP.COM/${CODE22}`, CODE22],
		['mixed-case host', `https://Chat.WhatsApp.Com/${CODE22}`, CODE22],
		['www host', `https://www.chat.whatsapp.com/${CODE22}`, CODE22],
		['trailing slash', `https://chat.whatsapp.com/${CODE22}/`, CODE22],
		['/invite/ path', `https://chat.whatsapp.com/invite/${CODE22}`, CODE22],
		['/invite/ path with trailing slash', `chat.whatsapp.com/invite/${CODE22}/`, CODE22],
		['/INVITE/ in capitals', `chat.whatsapp.com/INVITE/${CODE22}`, CODE22],
		['query string', `https://chat.whatsapp.com/${CODE22}?mode=ems_copy_t`, CODE22],
		['fragment', `https://chat.whatsapp.com/${CODE22}#join`, CODE22],
		['query and fragment', `https://chat.whatsapp.com/${CODE22}/?a=1&b=2#x`, CODE22],
		['whatsapp:// app link', `whatsapp://chat?code=${CODE22}`, CODE22],
		['whatsapp:// app link with another parameter', `WhatsApp://chat?x=1&code=${CODE22}`, CODE22],
		['surrounding spaces', `   ${CODE22}   `, CODE22],
		['a sheet cell with a line break', `https://chat.whatsapp.com/${CODE22}\n`, CODE22],
		['CRLF and tabs around', `\t https://chat.whatsapp.com/${CODE22}\r\n`, CODE22],
		['double quotes', `"https://chat.whatsapp.com/${CODE22}"`, CODE22],
		['single quotes', `'${CODE22}'`, CODE22],
		['typographic quotes', `“https://chat.whatsapp.com/${CODE22}”`, CODE22],
		['angle brackets (chat apps)', `<https://chat.whatsapp.com/${CODE22}>`, CODE22],
		['quotes with spaces inside and out', ` " chat.whatsapp.com/${CODE22} " `, CODE22],
		['byte-order mark and zero-width space at the edges', `\uFEFF${CODE22}\u200B`, CODE22],
		['a link in a sentence', `Join us: https://chat.whatsapp.com/${CODE22} !`, CODE22],
		['a link in a sentence with trailing punctuation', `Our group (chat.whatsapp.com/${CODE22}).`, CODE22],
		['the same link twice in a text', `chat.whatsapp.com/${CODE22} or https://chat.whatsapp.com/${CODE22}/`, CODE22],
		['a link next to other links', `Site https://example.com/about and https://chat.whatsapp.com/${CODE22}`, CODE22],
		['a number, read as its digits', 12345, '12345'],
		['zero', 0, '0'],
		['a bigint', 1234567n, '1234567'],
		['short all-digit text', '1234567', '1234567'],
		['16+ digits are not a phone number', '1234567890123456', '1234567890123456'],
		['a word that is letters only', 'hello', 'hello'],
	])('%s', (_label, input, code) => {
		expect(parseInviteIdentifier(input)).toEqual({ ok: true, code });
	});
});

describe('refused before any request, with a message that says why', () => {
	test.each<[string, unknown, RegExp]>([
		['null', null, /empty/],
		['undefined', undefined, /empty/],
		['empty text', '', /empty/],
		['blank text', '   \n\t ', /empty/],
		['quotes around nothing', '" "', /empty/],
		['true', true, /boolean/],
		['false', false, /boolean/],
		['an object', { link: CODE22 }, /object/],
		['an object with toString', { toString: () => CODE22 }, /object/],
		['an array', [CODE22], /list/],
		['an empty array', [], /list/],
		['a function', () => CODE22, /function/],
		['a symbol', Symbol('x'), /symbol/],
		['NaN', NaN, /not an invite code/],
		['Infinity', Infinity, /not an invite code/],
		['a negative number', -5, /not an invite code/],
		['a fraction', 1.5, /not an invite code/],
		['a number too large to be exact', 2 ** 60, /too large.*as text/],
		['a negative bigint', -5n, /not an invite code/],
		['a group JID', '120363406289005073@g.us', /JID/],
		['a user JID', '5511999999999@s.whatsapp.net', /JID/],
		['a c.us JID', '5511999999999@c.us', /JID/],
		['a lid JID', '123456789@lid', /JID/],
		['a newsletter JID', '120363000000000000@newsletter', /JID/],
		['an international phone number', '+55 11 99999-9999', /phone number/],
		['a phone number as digits', '5511999999999', /phone number/],
		['a local phone number', '(11) 99999-9999', /phone number/],
		['a phone number as a number', 5511999999999, /phone number/],
		['a wa.me link', 'https://wa.me/5511999999999', /phone number, not a group invite/],
		['a scheme-less wa.me link', 'wa.me/5511999999999?text=hi', /phone number/],
		['api.whatsapp.com/send', 'https://api.whatsapp.com/send?phone=5511999999999', /phone number/],
		['a channel link', 'https://whatsapp.com/channel/0029VaABCDEF', /channel/],
		['a www channel link', 'https://www.whatsapp.com/channel/0029VaABCDEF', /channel/],
		['a suffix host', `https://chat.whatsapp.com.evil.com/${CODE22}`, /not on chat\.whatsapp\.com/],
		['a prefix host', `https://evilchat.whatsapp.com/${CODE22}`, /not on chat\.whatsapp\.com/],
		['a sub-subdomain', `https://x.chat.whatsapp.com/${CODE22}`, /not on chat\.whatsapp\.com/],
		['a dashed look-alike', `https://chat-whatsapp.com/${CODE22}`, /not on chat\.whatsapp\.com/],
		['another TLD', `https://chat.whatsapp.co/${CODE22}`, /not on chat\.whatsapp\.com/],
		['user info pointing elsewhere', `https://chat.whatsapp.com@evil.com/${CODE22}`, /not on chat\.whatsapp\.com/],
		['a Cyrillic look-alike letter', `https://chat.whatsаpp.com/${CODE22}`, /another site|not on chat\.whatsapp\.com/],
		['a punycode host', `https://xn--chat-whatsapp-xyz.com/${CODE22}`, /another site|not on chat\.whatsapp\.com/],
		['a port', `https://chat.whatsapp.com:8443/${CODE22}`, /not on chat\.whatsapp\.com/],
		['a trailing dot on the host', `https://chat.whatsapp.com./${CODE22}`, /not on chat\.whatsapp\.com/],
		['an ftp link', `ftp://chat.whatsapp.com/${CODE22}`, /scheme/],
		['a javascript: URL', `javascript:alert(1)//chat.whatsapp.com/${CODE22}`, /neither an invite code/],
		['a file URL', 'file:///etc/passwd', /another site|neither/],
		['another site', 'https://example.com/ABC', /another site/],
		['path traversal', `chat.whatsapp.com/../${CODE22}`, /not an invite link/],
		['traversal after /invite/', 'https://chat.whatsapp.com/invite/../x', /not an invite link/],
		['an extra path segment', `https://chat.whatsapp.com/${CODE22}/extra`, /not an invite link/],
		['percent-encoding in the code', 'https://chat.whatsapp.com/%41BC', /letters and digits/],
		['a percent-encoded host', `https://chat%2Ewhatsapp.com/${CODE22}`, /not on chat\.whatsapp\.com/],
		['backslashes', `https:\\\\chat.whatsapp.com\\${CODE22}`, /not on chat\.whatsapp\.com/],
		['a dash in the code', 'ABC-123', /neither an invite code/],
		['an underscore in the code', 'https://chat.whatsapp.com/ABC_123', /letters and digits/],
		['accented letters in the code', 'Código123', /neither an invite code/],
		['a 65-character code', 'a'.repeat(65), /65 characters.*at most 64/],
		['a 65-character code in a link', `https://chat.whatsapp.com/${'b'.repeat(65)}`, /65 characters/],
		['an over-long value', `https://chat.whatsapp.com/${CODE22}?${'x'.repeat(MAX_IDENTIFIER_LENGTH)}`, /characters long; at most/],
		['a NUL inside', `${CODE22}\u0000x`, /control or invisible/],
		['a bell inside', `chat.whatsapp.com/${CODE22}\u0007`, /control or invisible/],
		['a line break in the middle of a link', `https://chat.whatsapp.com/\r\n${CODE22}`, /line breaks inside/],
		['a header injected after a link', `https://chat.whatsapp.com/${CODE22}\r\nX-Injected: 1`, /line breaks inside/],
		['a message of several lines', `Hello!\nJoin: https://chat.whatsapp.com/${CODE22}\nBye`, /one invite link or code per item/],
		['a bidi override', `https://chat.whatsapp.com/\u202E${CODE22}`, /control or invisible/],
		['a zero-width space in the middle', `ABC\u200B123`, /control or invisible/],
		['two different invite links', `chat.whatsapp.com/${CODE22} and chat.whatsapp.com/Other123`, /2 different invite links/],
		['three different invite links', 'chat.whatsapp.com/A1 chat.whatsapp.com/B2 chat.whatsapp.com/C3', /3 different invite links/],
		['a valid link next to a broken one', `chat.whatsapp.com/${CODE22} chat.whatsapp.com/bad-code`, /cannot be used/],
		['a text with no link', 'please add me to the group', /No chat\.whatsapp\.com invite link/],
		['a text with only a wa.me link', 'call me at wa.me/5511999999999 thanks', /phone number/],
		['the host with no code', 'https://chat.whatsapp.com/', /not an invite link/],
		['the host alone', 'chat.whatsapp.com', /not an invite link/],
		['/invite with no code', 'https://chat.whatsapp.com/invite', /not an invite link/],
		['/invite/ with no code', 'https://chat.whatsapp.com/invite/', /not an invite link/],
		['an app link without a code', 'whatsapp://chat?text=hi', /code=/],
		['an app link with two codes', 'whatsapp://chat?code=A1&code=B2', /code=/],
	])('%s', (_label, input, message) => {
		const result = parseInviteIdentifier(input);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.message).toMatch(message);
		expect(result.message.length).toBeLessThanOrEqual(300);
	});

	test('a huge value is refused without echoing it', () => {
		const result = parseInviteIdentifier('A'.repeat(1_000_000));
		expect(result).toEqual({ ok: false, message: expect.stringMatching(/1000000 characters long/) });
		if (!result.ok) expect(result.message.length).toBeLessThan(120);
	});

	test('refusal messages show control characters escaped', () => {
		const result = parseInviteIdentifier('ab\u0000cd');
		expect(result.ok || result.message).toContain('\\u0000');
	});
});

describe('properties', () => {
	const runs = { numRuns: 500, seed: 20261125 };
	const letterOrDigit = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
	/** Codes with at least one letter, so none reads as a phone number. */
	const code = fc
		.tuple(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'), fc.array(letterOrDigit, { maxLength: MAX_CODE_LENGTH - 1 }))
		.map(([first, rest]) => [first, ...rest].join(''));

	test('it never throws, whatever it is given', () => {
		fc.assert(
			fc.property(fc.oneof(fc.anything(), fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (value) => {
				parseInviteIdentifier(value);
			}),
			runs,
		);
	});

	test('whatever it accepts is letters and digits, 1 to 64 of them', () => {
		const linkish = fc
			.array(fc.constantFrom('https://', 'chat.whatsapp.com', '/', 'invite', '?', '#', ' ', 'wa.me', '@', 'g.us', 'ABC', '123', '"', '.', '%41', ':', 'code='), {
				maxLength: 12,
			})
			.map((pieces) => pieces.join(''));
		fc.assert(
			fc.property(fc.oneof(fc.anything(), fc.string(), linkish), (value) => {
				const result = parseInviteIdentifier(value);
				if (result.ok) expect(result.code).toMatch(/^[A-Za-z0-9]{1,64}$/);
				else expect(result.message.length).toBeGreaterThan(0);
			}),
			runs,
		);
	});

	test('every common form of a link reads back exactly its code', () => {
		const form = fc.constantFrom(
			(c: string) => c,
			(c: string) => `https://chat.whatsapp.com/${c}`,
			(c: string) => `http://chat.whatsapp.com/${c}/`,
			(c: string) => `chat.whatsapp.com/invite/${c}`,
			(c: string) => `https://CHAT.whatsapp.com/${c}?mode=ems_copy_t`,
			(c: string) => `https://chat.whatsapp.com/${c}#frag`,
			(c: string) => `whatsapp://chat?code=${c}`,
			(c: string) => `  "https://chat.whatsapp.com/${c}"\n`,
			(c: string) => `Join us: https://chat.whatsapp.com/${c} !`,
		);
		fc.assert(
			fc.property(code, form, (c, write) => {
				expect(parseInviteIdentifier(write(c))).toEqual({ ok: true, code: c });
			}),
			runs,
		);
	});

	test('reading an accepted code again gives the same code', () => {
		fc.assert(
			fc.property(fc.oneof(code, code.map((c) => `chat.whatsapp.com/${c}`), fc.string()), (value) => {
				const first = parseInviteIdentifier(value);
				if (first.ok) expect(parseInviteIdentifier(first.code)).toEqual(first);
			}),
			runs,
		);
	});

	test('a link on any other host is refused', () => {
		const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
		const host = fc.oneof(
			fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => `${labels.join('.')}.com`),
			label.map((l) => `chat.whatsapp.com.${l}.com`),
			label.map((l) => `${l}chat.whatsapp.com`),
			label.map((l) => `${l}.chat.whatsapp.com`),
		);
		fc.assert(
			fc.property(host, code, fc.constantFrom('https://', 'http://', ''), (h, c, scheme) => {
				fc.pre(h !== 'chat.whatsapp.com' && h !== 'www.chat.whatsapp.com');
				expect(parseInviteIdentifier(`${scheme}${h}/${c}`).ok).toBe(false);
			}),
			runs,
		);
	});

	test('two different invite links in one text are refused', () => {
		fc.assert(
			fc.property(code, code, fc.constantFrom(' ', ' or ', '\n', ', '), (a, b, between) => {
				fc.pre(a !== b);
				expect(parseInviteIdentifier(`chat.whatsapp.com/${a}${between}https://chat.whatsapp.com/${b}`).ok).toBe(false);
			}),
			runs,
		);
	});
});
