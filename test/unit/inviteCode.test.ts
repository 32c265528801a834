/**
 * parseInviteIdentifier, the pure reader of what users paste into the Join node: the forms it must
 * accept (with the code it reads, case preserved), the forms it must refuse before any request (with a
 * short message that says why), and properties over generated input.
 */
import fc from 'fast-check';

import {
	parseInviteIdentifier,
	quoteForMessage,
	readGroupJid,
} from '../../nodes/RyzeApi/shared/inviteCode';

/** The longest code read (public codes have 22 characters), as shared/inviteCode.ts bounds it. */
const MAX_CODE_LENGTH = 64;
/** The longest input read at all: room for a pasted message around a link. */
const MAX_IDENTIFIER_LENGTH = 2048;

/** A public-looking 22-character code, mixed case so that any case folding shows. */
const CODE = 'GxQ3kP9mZr2LwT8vYb4NcD';
const CODE16 = 'Hk29dLq0PzX7mW3a';
const LONGEST = 'Zz9'.repeat(21) + 'Q';
const TOO_LONG = 'a'.repeat(MAX_CODE_LENGTH + 1);
const VALID_RESULT = /^[A-Za-z0-9]{1,64}$/;
/** Longest message a user should have to read in an item's output. */
const MAX_MESSAGE_LENGTH = 300;
// Built from code points so that no raw control or invisible character sits in this source file.
const cc = (code: number): string => String.fromCodePoint(code);
const NUL = cc(0x00);
const BEL = cc(0x07);
const DEL = cc(0x7f);
const NEL = cc(0x85);
const SOFT_HYPHEN = cc(0xad);
const ZWSP = cc(0x200b);
const LRM = cc(0x200e);
const RLO = cc(0x202e);
const LRI = cc(0x2066);
const PDI = cc(0x2069);
const BOM = cc(0xfeff);
const NBSP = cc(0xa0);
const IDEOGRAPHIC_SPACE = cc(0x3000);

function expectRefused(input: unknown): string {
	const result = parseInviteIdentifier(input);
	expect(result.ok).toBe(false);
	if (result.ok) throw new Error(`accepted ${String(input)} as ${result.value}`);
	expect(Object.keys(result).sort()).toEqual(['message', 'ok']);
	expect(typeof result.message).toBe('string');
	expect(result.message.trim().length).toBeGreaterThan(0);
	expect(result.message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
	return result.message;
}

describe('parseInviteIdentifier: accepted forms give exactly the code, case preserved', () => {
	test.each<[string, unknown, string]>([
		// bare codes
		['bare 22-character public code', CODE, CODE],
		['bare code from the provider docs', 'ABC123XYZ', 'ABC123XYZ'],
		['bare 16-character code', CODE16, CODE16],
		['bare one-letter code', 'Q', 'Q'],
		['bare 64-character code', LONGEST, LONGEST],
		['bare lower-case code keeps its case', 'abcdefghijklmnopqrstuv', 'abcdefghijklmnopqrstuv'],
		['bare code of digits too short to be a phone number', '1234567', '1234567'],
		[
			'bare code of 16 digits (longer than any phone number)',
			'1234567890123456',
			'1234567890123456',
		],
		// links: scheme, host case, www
		['https link', `https://chat.whatsapp.com/${CODE}`, CODE],
		['http link', `http://chat.whatsapp.com/${CODE}`, CODE],
		['scheme-less link', `chat.whatsapp.com/${CODE}`, CODE],
		['upper-case scheme and host', `HTTPS://CHAT.WHATSAPP.COM/${CODE}`, CODE],
		['mixed-case scheme and host', `Https://Chat.WhatsApp.Com/${CODE}`, CODE],
		['upper-case http scheme', `HTTP://chat.whatsapp.com/${CODE}`, CODE],
		['scheme-less upper-case host', `CHAT.whatsapp.COM/${CODE}`, CODE],
		['www host', `https://www.chat.whatsapp.com/${CODE}`, CODE],
		['scheme-less upper-case www host', `WWW.CHAT.WHATSAPP.COM/${CODE}`, CODE],
		// links: path, query, fragment
		['trailing slash', `https://chat.whatsapp.com/${CODE}/`, CODE],
		['/invite/ path', `https://chat.whatsapp.com/invite/${CODE}`, CODE],
		['/Invite/ path with trailing slash', `chat.whatsapp.com/Invite/${CODE}/`, CODE],
		[
			'query string from the share sheet',
			`https://chat.whatsapp.com/${CODE}?mode=ems_copy_t`,
			CODE,
		],
		['query and fragment', `https://chat.whatsapp.com/${CODE}?mode=r_c&x=1#top`, CODE],
		['fragment only', `chat.whatsapp.com/${CODE}#join`, CODE],
		[
			'everything: www, /invite/, slash, query, fragment',
			`http://www.chat.whatsapp.com/invite/${CODE}/?a=b#c`,
			CODE,
		],
		['a 64-character code in a link', `https://chat.whatsapp.com/${LONGEST}`, LONGEST],
		// app links
		['whatsapp:// app link', `whatsapp://chat?code=${CODE}`, CODE],
		['whatsapp:// app link in capitals', `WHATSAPP://CHAT?CODE=${CODE}`, CODE],
		[
			'whatsapp:// app link with another parameter first',
			`whatsapp://chat?text=hi&code=${CODE}`,
			CODE,
		],
		// what sheets, chats and editors leave around a value
		['surrounding spaces', `   ${CODE}   `, CODE],
		['trailing newline from a sheet cell', `https://chat.whatsapp.com/${CODE}\n`, CODE],
		['CRLF and tabs around', `\t https://chat.whatsapp.com/${CODE}\r\n`, CODE],
		[
			'non-breaking and ideographic spaces around',
			`${NBSP}chat.whatsapp.com/${CODE}${IDEOGRAPHIC_SPACE}`,
			CODE,
		],
		['double quotes', `"https://chat.whatsapp.com/${CODE}"`, CODE],
		['single quotes', `'${CODE}'`, CODE],
		['backticks', `\`chat.whatsapp.com/${CODE}\``, CODE],
		['typographic double quotes', `\u201Chttps://chat.whatsapp.com/${CODE}\u201D`, CODE],
		['typographic single quotes', `\u2018${CODE}\u2019`, CODE],
		['guillemets', `\u00AB${CODE}\u00BB`, CODE],
		['angle brackets (Slack, e-mail)', `<https://chat.whatsapp.com/${CODE}>`, CODE],
		['quotes inside spaces, spaces inside quotes', ` " chat.whatsapp.com/${CODE} " `, CODE],
		['quotes inside angle brackets', `<"${CODE}">`, CODE],
		['byte-order mark at the start', `${BOM}https://chat.whatsapp.com/${CODE}`, CODE],
		['zero-width space at the end', `${CODE}${ZWSP}`, CODE],
		['BOM, zero-width space and whitespace together', `${BOM} ${ZWSP}${CODE}${ZWSP}\n`, CODE],
		// numbers
		['a number, read as its digits', 12345, '12345'],
		['the number zero', 0, '0'],
		['a bigint', 12345n, '12345'],
		['a bigint of 21 digits (not a phone number)', 10n ** 20n, '100000000000000000000'],
		// one link inside a longer text
		['a link in a sentence (provider docs)', `Join us: https://chat.whatsapp.com/${CODE} !`, CODE],
		[
			'a link ending a sentence with a full stop',
			`Our group is at chat.whatsapp.com/${CODE}.`,
			CODE,
		],
		['a link copied with the full stop after it', `https://chat.whatsapp.com/${CODE}.`, CODE],
		['a link copied with the brackets around it', `(chat.whatsapp.com/invite/${CODE})`, CODE],
		['an app link copied with an exclamation mark', `whatsapp://chat?code=${CODE}!`, CODE],
		[
			'a link in brackets inside a sentence',
			`Group (https://chat.whatsapp.com/${CODE}), see you!`,
			CODE,
		],
		['a link ending a question', `Did you get https://chat.whatsapp.com/${CODE}?`, CODE],
		[
			'a link in angle brackets inside a sentence',
			`Join: <https://chat.whatsapp.com/${CODE}>.`,
			CODE,
		],
		['a quoted sentence with a link', `"Join us: chat.whatsapp.com/${CODE}"`, CODE],
		[
			'the same link twice in a text',
			`chat.whatsapp.com/${CODE} or https://chat.whatsapp.com/${CODE}/`,
			CODE,
		],
		[
			'the same code as a web link and an app link',
			`https://chat.whatsapp.com/${CODE} whatsapp://chat?code=${CODE}`,
			CODE,
		],
		['an app link in a sentence', `Open whatsapp://chat?code=${CODE}.`, CODE],
		[
			'a link next to a link to another site',
			`Rules at https://example.com/rules and the group at https://chat.whatsapp.com/${CODE}`,
			CODE,
		],
		[
			'a link next to a phone number',
			`Questions: +55 11 99999-9999. Group: chat.whatsapp.com/${CODE}`,
			CODE,
		],
		[
			'a sentence padded to exactly the longest input read',
			`Join chat.whatsapp.com/${CODE}`.padEnd(MAX_IDENTIFIER_LENGTH, ' '),
			CODE,
		],
	])('%s', (_label, input, code) => {
		expect(parseInviteIdentifier(input)).toEqual({ ok: true, value: code });
	});
});

describe('parseInviteIdentifier: refused before any request, with a short message that says why', () => {
	test.each<[string, unknown, RegExp]>([
		// nothing to read
		['null', null, /empty/],
		['undefined', undefined, /empty/],
		['empty text', '', /empty/],
		['blank text', '   ', /empty/],
		['only line breaks and tabs', '\r\n\t \n', /empty/],
		['only invisible characters', `${BOM}${ZWSP}`, /empty/],
		['empty quotes', '""', /empty/],
		['blank typographic quotes', '\u201C \u201D', /empty/],
		// not text
		['true', true, /must be text.*a boolean/],
		['false', false, /must be text.*a boolean/],
		['an empty object', {}, /must be text.*an object/],
		['an empty list', [], /must be text.*a list/],
		['a list of one text', ['x'], /a list/],
		['a list holding a valid link', [`https://chat.whatsapp.com/${CODE}`], /a list/],
		['an object whose toString gives a code', { toString: () => CODE }, /an object/],
		['an object whose valueOf gives a number', { valueOf: () => 12345 }, /an object/],
		['a boxed string', Object(CODE), /an object/],
		['a date', new Date(0), /an object/],
		['a function', () => CODE, /a function/],
		['a symbol', Symbol(CODE), /a symbol/],
		// numbers that are not digits
		['NaN', Number.NaN, /not an invite code/],
		['a negative number', -5, /not an invite code/],
		['a fraction', 1.5, /not an invite code/],
		['Infinity', Number.POSITIVE_INFINITY, /not an invite code/],
		['-Infinity', Number.NEGATIVE_INFINITY, /not an invite code/],
		['2^53, just beyond MAX_SAFE_INTEGER', 2 ** 53, /too large.*as text/],
		['1e21', 1e21, /too large/],
		['Number.MAX_VALUE', Number.MAX_VALUE, /too large/],
		['a negative bigint', -1n, /not an invite code/],
		['a bigint of 71 digits', 10n ** 70n, /71 characters long/],
		// JIDs: the route takes invite codes only
		['group JID', '120363406289005073@g.us', /JID/],
		['user JID', '5511999999999@s.whatsapp.net', /JID/],
		['user JID with a device', '5511999999999:12@s.whatsapp.net', /JID/],
		['legacy c.us JID', '5511999999999@c.us', /JID/],
		['LID', '123456789012345@lid', /JID/],
		['newsletter JID', '120363123456789012@newsletter', /JID/],
		['broadcast JID', 'status@broadcast', /JID/],
		['upper-case group JID in quotes', '"120363406289005073@G.US"', /JID/],
		// phone numbers
		['formatted international phone number', '+55 11 99999-9999', /phone number/],
		['phone number of digits only', '5511999999999', /phone number/],
		['local phone number with area code', '(11) 99999-9999', /phone number/],
		['phone number with +', '+5511999999999', /phone number/],
		['phone number as a number', 5511999999999, /phone number/],
		['eight digits as a number', 12345678, /phone number/],
		// other WhatsApp links
		['wa.me link', 'https://wa.me/5511999999999', /phone number/],
		['scheme-less wa.me link', 'wa.me/5511999999999', /phone number/],
		['wa.me message link', 'WA.ME/message/ABCDEFG', /phone number/],
		[
			'api.whatsapp.com/send link',
			'https://api.whatsapp.com/send?phone=5511999999999',
			/phone number/,
		],
		['channel link', 'https://whatsapp.com/channel/0029VaABCDEFGHIJ', /channel/],
		['channel link on www', 'https://www.whatsapp.com/channel/0029VaABCDEFGHIJ', /channel/],
		['web.whatsapp.com link', `https://web.whatsapp.com/${CODE}`, /not on chat\.whatsapp\.com/],
		// look-alike and suffix hosts
		[
			'host with an evil suffix',
			`https://chat.whatsapp.com.evil.com/${CODE}`,
			/not on chat\.whatsapp\.com/,
		],
		[
			'host glued to a prefix',
			`https://evilchat.whatsapp.com/${CODE}`,
			/not on chat\.whatsapp\.com/,
		],
		['subdomain of the host', `evil.chat.whatsapp.com/${CODE}`, /not on chat\.whatsapp\.com/],
		['dash instead of dot', `https://chat-whatsapp.com/${CODE}`, /not on chat\.whatsapp\.com/],
		['.co instead of .com', `https://chat.whatsapp.co/${CODE}`, /not on chat\.whatsapp\.com/],
		[
			'host as user-info of another host',
			`https://chat.whatsapp.com@evil.com/${CODE}`,
			/not on chat\.whatsapp\.com/,
		],
		[
			'another host as user-info of the host',
			`https://evil.com@chat.whatsapp.com/${CODE}`,
			/not on chat\.whatsapp\.com/,
		],
		[
			'Cyrillic es for the c of chat',
			`https://\u0441hat.whatsapp.com/${CODE}`,
			/not on chat\.whatsapp\.com/,
		],
		[
			'Cyrillic a in whatsapp',
			`https://chat.whats\u0430pp.com/${CODE}`,
			/not a chat\.whatsapp\.com invite link/,
		],
		[
			'punycode look-alike',
			`https://xn--chat-whatsapp-7kb.com/${CODE}`,
			/not on chat\.whatsapp\.com/,
		],
		[
			'punycode host',
			`https://xn--80ak6aa92e.com/${CODE}`,
			/not a chat\.whatsapp\.com invite link/,
		],
		['a port', `https://chat.whatsapp.com:8443/${CODE}`, /not on chat\.whatsapp\.com/],
		['a trailing dot on the host', `chat.whatsapp.com./${CODE}`, /not on chat\.whatsapp\.com/],
		[
			'full-width letters',
			`\uFF43\uFF48\uFF41\uFF54\uFF0E\uFF57\uFF48\uFF41\uFF54\uFF53\uFF41\uFF50\uFF50\uFF0E\uFF43\uFF4F\uFF4D/${CODE}`,
			/neither an invite code/,
		],
		['another site', `https://example.com/${CODE}`, /not a chat\.whatsapp\.com invite link/],
		// other schemes
		['ftp://', `ftp://chat.whatsapp.com/${CODE}`, /scheme "ftp:"/],
		['javascript:', 'javascript:alert(1)', /neither an invite code/],
		['javascript:// on the host', `javascript://chat.whatsapp.com/${CODE}`, /scheme "javascript:"/],
		['file:///', 'file:///etc/passwd', /not a chat\.whatsapp\.com invite link/],
		['file:// on the host', `file://chat.whatsapp.com/${CODE}`, /scheme "file:"/],
		// paths that are not /CODE or /invite/CODE
		[
			'parent segment before the code',
			`https://chat.whatsapp.com/../${CODE}`,
			/followed by the invite code/,
		],
		[
			'parent segment after /invite/',
			`chat.whatsapp.com/invite/../${CODE}`,
			/followed by the invite code/,
		],
		[
			'an extra segment after the code',
			`chat.whatsapp.com/${CODE}/extra`,
			/followed by the invite code/,
		],
		[
			'a double slash before the code',
			`https://chat.whatsapp.com//${CODE}`,
			/followed by the invite code/,
		],
		['a dot segment', `chat.whatsapp.com/./${CODE}`, /followed by the invite code/],
		[
			'a channel path on the invite host',
			`chat.whatsapp.com/channel/${CODE}`,
			/followed by the invite code/,
		],
		[
			'the code only in the query',
			`https://chat.whatsapp.com?code=${CODE}`,
			/followed by the invite code/,
		],
		[
			'the code only in the fragment',
			`https://chat.whatsapp.com/#${CODE}`,
			/followed by the invite code/,
		],
		// encodings and separators
		['percent-encoded code', 'chat.whatsapp.com/%41BC123', /other than letters and digits/],
		[
			'percent-encoded dot in the host',
			`https://chat%2Ewhatsapp.com/${CODE}`,
			/not on chat\.whatsapp\.com/,
		],
		[
			'percent-encoded letter in the host',
			`%63hat.whatsapp.com/${CODE}`,
			/not on chat\.whatsapp\.com/,
		],
		[
			'backslash instead of slash',
			`https://chat.whatsapp.com\\${CODE}`,
			/not on chat\.whatsapp\.com/,
		],
		[
			'backslashes throughout',
			`https:\\\\chat.whatsapp.com\\${CODE}`,
			/not on chat\.whatsapp\.com/,
		],
		['a backslash after the code', `chat.whatsapp.com/${CODE}\\`, /other than letters and digits/],
		// codes with other characters
		['bare code with a dash', 'ABC-123', /neither an invite code/],
		['bare code with an underscore', 'ABC_123', /neither an invite code/],
		['link with a dash in the code', 'chat.whatsapp.com/ABC-123', /other than letters and digits/],
		[
			'link with an underscore in the code',
			'https://chat.whatsapp.com/ABC_123',
			/other than letters and digits/,
		],
		['bare code with an accented letter', '\u00C1bc123', /neither an invite code/],
		[
			'link with a cedilla in the code',
			'chat.whatsapp.com/\u00C7ode123',
			/other than letters and digits/,
		],
		['Cyrillic code', '\u043A\u043E\u0434123', /neither an invite code/],
		['Arabic-Indic digits', '\u0661\u0662\u0663abc', /neither an invite code/],
		['full-width code', '\uFF21\uFF22\uFF23\uFF11\uFF12\uFF13', /neither an invite code/],
		['app link with an empty code', 'whatsapp://chat?code=', /code/],
		['app link without a code', 'whatsapp://chat?text=hi', /code=/],
		['app link with two codes', 'whatsapp://chat?code=A1&code=B2', /code=/],
		[
			'app link with a percent-encoded code',
			'whatsapp://chat?code=%41BC',
			/other than letters and digits/,
		],
		// too long
		['bare code of 65 characters', TOO_LONG, /65 characters long/],
		['bare code of 65 digits', '1'.repeat(65), /65 characters long/],
		[
			'link with a code of 65 characters',
			`https://chat.whatsapp.com/${TOO_LONG}`,
			/65 characters long/,
		],
		[
			'app link with a code of 65 characters',
			`whatsapp://chat?code=${TOO_LONG}`,
			/65 characters long/,
		],
		[
			'input one character over the longest read',
			'a'.repeat(MAX_IDENTIFIER_LENGTH + 1),
			/2049 characters long; at most 2048/,
		],
		[
			'a link padded past the longest read',
			`chat.whatsapp.com/${CODE}`.padEnd(MAX_IDENTIFIER_LENGTH + 1, ' '),
			/characters long/,
		],
		['a megabyte', 'A'.repeat(1_000_000), /1000000 characters long/],
		// control and invisible characters
		['NUL in a code', `ABC${NUL}123`, /control or invisible/],
		['NUL alone', NUL, /control or invisible/],
		['BEL after a link', `https://chat.whatsapp.com/${CODE}${BEL}`, /control or invisible/],
		['DEL in a code', `ABC${DEL}123`, /control or invisible/],
		['NEL in a code', `ABC${NEL}123`, /control or invisible/],
		['a tab inside a sentence', `Join\tchat.whatsapp.com/${CODE}`, /control or invisible/],
		['CRLF in the middle of a code', 'ABC\r\n123', /line breaks/],
		[
			'a header injected after a link',
			`https://chat.whatsapp.com/${CODE}\r\nX-Injected: 1`,
			/line breaks/,
		],
		[
			'a message of several lines',
			`Hello!\nJoin: https://chat.whatsapp.com/${CODE}\nBye`,
			/one invite link or code per item/,
		],
		[
			'a bidi override inside a link',
			`https://chat.whatsapp.com/${RLO}${CODE}`,
			/control or invisible/,
		],
		['a bidi override at the start', `${RLO}${CODE}`, /control or invisible/],
		[
			'bidi isolates around a link',
			`${LRI}chat.whatsapp.com/${CODE}${PDI}`,
			/control or invisible/,
		],
		['a left-to-right mark inside a code', `ABC${LRM}123`, /control or invisible/],
		['a zero-width space in the middle of a code', `ABC${ZWSP}123`, /control or invisible/],
		[
			'a zero-width space inside a sentence',
			`Join ${ZWSP} chat.whatsapp.com/${CODE}`,
			/control or invisible/,
		],
		['a BOM in the middle of a link', `chat.whatsapp.com/${BOM}${CODE}`, /control or invisible/],
		['a soft hyphen in a code', `ABC${SOFT_HYPHEN}123`, /control or invisible/],
		// texts with no single invite link
		[
			'two different invite links',
			`chat.whatsapp.com/${CODE} and chat.whatsapp.com/Other123`,
			/2 different invite links/,
		],
		[
			'two codes differing only in case',
			'chat.whatsapp.com/AbC123 or https://chat.whatsapp.com/abc123',
			/2 different invite links/,
		],
		[
			'a web link and an app link to different groups',
			`https://chat.whatsapp.com/${CODE} whatsapp://chat?code=Other123`,
			/2 different invite links/,
		],
		[
			'two different links in angle brackets',
			'<chat.whatsapp.com/A1> <chat.whatsapp.com/B2>',
			/2 different invite links/,
		],
		[
			'three different invite links',
			'chat.whatsapp.com/A1, chat.whatsapp.com/B2 and chat.whatsapp.com/C3.',
			/3 different invite links/,
		],
		[
			'a valid link next to a broken one',
			`chat.whatsapp.com/${CODE} chat.whatsapp.com/bad-code`,
			/cannot be used/,
		],
		['a text with no link', 'please add me to the group', /No chat\.whatsapp\.com invite link/],
		['two words that are codes', 'ABC123 XYZ789', /No chat\.whatsapp\.com invite link/],
		[
			'a text with a link to another site',
			'see https://example.com/page please',
			/No chat\.whatsapp\.com invite link.*another site/,
		],
		['a text with only a wa.me link', 'call me at wa.me/5511999999999 thanks', /phone number/],
		[
			'a text with only a channel link',
			'follow https://whatsapp.com/channel/0029VaABC now',
			/channel/,
		],
		[
			'a text with a JID',
			'group 120363406289005073@g.us please',
			/No chat\.whatsapp\.com invite link/,
		],
		// the host without a code
		[
			'the host with a slash and no code',
			'https://chat.whatsapp.com/',
			/followed by the invite code/,
		],
		['the host alone', 'chat.whatsapp.com', /followed by the invite code/],
		['the www host alone', 'https://www.chat.whatsapp.com', /followed by the invite code/],
		['/invite with no code', 'chat.whatsapp.com/invite', /followed by the invite code/],
		['/invite/ with no code', 'https://chat.whatsapp.com/invite/', /followed by the invite code/],
		[
			'the host with only a query',
			'https://chat.whatsapp.com/?mode=ems_copy_t',
			/followed by the invite code/,
		],
	])('%s', (_label, input, message) => {
		expect(expectRefused(input)).toMatch(message);
	});
});

describe('parseInviteIdentifier: pinned details', () => {
	test('a link whose code is 8 to 15 digits is accepted, while the same digits alone read as a phone number', () => {
		// The host makes the link unambiguous; bare, the digits are more likely a phone number. This is
		// the one case where reading the returned code again does not give it back.
		expect(parseInviteIdentifier('https://chat.whatsapp.com/5511999999999')).toEqual({
			ok: true,
			value: '5511999999999',
		});
		expect(expectRefused('5511999999999')).toMatch(/phone number/);
	});

	test('a code that is the word "invite" is read bare and after /invite/, not as the /invite path', () => {
		expect(parseInviteIdentifier('Invite')).toEqual({ ok: true, value: 'Invite' });
		expect(parseInviteIdentifier('chat.whatsapp.com/invite/Invite')).toEqual({
			ok: true,
			value: 'Invite',
		});
		expect(parseInviteIdentifier('chat.whatsapp.com/Invite').ok).toBe(false);
	});

	test('refusal messages never echo a huge value', () => {
		const inputs: unknown[] = [
			-(10n ** 3000n),
			`${'a'.repeat(2000)}://chat.whatsapp.com/${CODE}`,
			Array.from(
				{ length: 24 },
				(_, i) => `chat.whatsapp.com/${String(i).padStart(2, '0')}${'x'.repeat(62)}`,
			).join(' '),
			Array.from({ length: 150 }, (_, i) => `chat.whatsapp.com/A${i}`)
				.join(' ')
				.slice(0, MAX_IDENTIFIER_LENGTH - 3),
			`A${NUL.repeat(200)}`,
			`A\n${cc(1).repeat(200)}`,
			cc(0xd800).repeat(200),
			'\\'.repeat(200),
			`${'x'.repeat(2000)}@g.us`,
			`https://chat.whatsapp.com/${'a'.repeat(2000)}`,
		];
		for (const input of inputs) expectRefused(input);
		expect(expectRefused(inputs[2])).toMatch(/24 different invite links \(00x+, 01x+, \.\.\.\)/);
	});

	test('refusal messages show control characters escaped', () => {
		const message = expectRefused(`ab${NUL}cd`);
		expect(message).toContain('\\u0000');
		expect(message).not.toContain(NUL);
	});

	test('the result carries nothing but ok and the value (the code)', () => {
		const result = parseInviteIdentifier(`https://chat.whatsapp.com/${CODE}`);
		expect(Object.keys(result).sort()).toEqual(['ok', 'value']);
	});

	test('it does not change what it is given', () => {
		const list = Object.freeze([`https://chat.whatsapp.com/${CODE}`]);
		const object = Object.freeze({ value: CODE });
		expectRefused(list);
		expectRefused(object);
		expect(list).toEqual([`https://chat.whatsapp.com/${CODE}`]);
		expect(object).toEqual({ value: CODE });
	});

	test('the worst inputs of the longest length read are parsed quickly', () => {
		const worst = [
			`a${' '.repeat(MAX_IDENTIFIER_LENGTH - 2)}b`,
			'('.repeat(MAX_IDENTIFIER_LENGTH),
			'"'.repeat(MAX_IDENTIFIER_LENGTH),
			`${'<'.repeat(MAX_IDENTIFIER_LENGTH / 2)}${'>'.repeat(MAX_IDENTIFIER_LENGTH / 2)}`,
			`${ZWSP} `.repeat(MAX_IDENTIFIER_LENGTH / 2),
			'chat.whatsapp.com/'.repeat(Math.floor(MAX_IDENTIFIER_LENGTH / 18)),
			'chat.whatsapp.com/a '.repeat(Math.floor(MAX_IDENTIFIER_LENGTH / 20)),
			'a.'.repeat(MAX_IDENTIFIER_LENGTH / 2),
			'1 '.repeat(MAX_IDENTIFIER_LENGTH / 2),
		];
		const started = Date.now();
		for (const input of worst) parseInviteIdentifier(input);
		expect(Date.now() - started).toBeLessThan(1000);
	});
});

describe('parseInviteIdentifier: properties', () => {
	const runs = { numRuns: 500 };
	const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
	const DIGITS = '0123456789';
	const letterOrDigit = fc.constantFrom(...`${LETTERS}${DIGITS}`);
	const letterOrDigitString = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
		fc.string({ unit: letterOrDigit, minLength, maxLength });
	/** Phone-like: 8 to 15 digits alone read as a phone number, not a code. */
	const phoneLike = (c: string): boolean => /^\d{8,15}$/.test(c);
	/** Names a generated writer in counterexamples by what it writes around a placeholder. */
	const shown = (
		write: (text: string) => string,
		placeholder = '<code>',
	): ((text: string) => string) =>
		Object.assign(write, {
			[fc.toStringMethod]: () => `(${placeholder}) => ${JSON.stringify(write(placeholder))}`,
		});
	/**
	 * Valid codes that are not phone-like: mostly mixed letters and digits, some all digits of
	 * lengths a phone number cannot have. "invite" is left out: chat.whatsapp.com/invite is the
	 * /invite/ path without a code.
	 */
	const code = fc
		.oneof(
			{ weight: 8, arbitrary: letterOrDigitString(1, MAX_CODE_LENGTH) },
			{
				weight: 1,
				arbitrary: fc.string({ unit: fc.constantFrom(...DIGITS), minLength: 1, maxLength: 7 }),
			},
			{
				weight: 1,
				arbitrary: fc.string({
					unit: fc.constantFrom(...DIGITS),
					minLength: 16,
					maxLength: MAX_CODE_LENGTH,
				}),
			},
		)
		.filter((c) => !phoneLike(c) && c.toLowerCase() !== 'invite');
	const scheme = fc.oneof(fc.mixedCase(fc.constantFrom('https://', 'http://')), fc.constant(''));
	const inviteHost = fc.mixedCase(fc.constantFrom('chat.whatsapp.com', 'www.chat.whatsapp.com'));
	const inviteLink = fc
		.tuple(
			scheme,
			inviteHost,
			fc.mixedCase(fc.constantFrom('/', '/invite/')),
			fc.constantFrom('', '/'),
			fc.constantFrom('', '?mode=ems_copy_t', '?a=1&b=2'),
			fc.constantFrom('', '#x', '#'),
		)
		.map(([s, h, p, slash, query, fragment]) =>
			shown((c) => `${s}${h}${p}${c}${slash}${query}${fragment}`),
		);
	const appLink = fc
		.tuple(
			fc.mixedCase(fc.constant('whatsapp://chat?')),
			fc.constantFrom('', 'text=hi&', 'a=1&'),
			fc.mixedCase(fc.constant('code=')),
			fc.constantFrom('', '&x=1'),
		)
		.map(([prefix, before, key, after]) => shown((c) => `${prefix}${before}${key}${c}${after}`));
	const link = fc.oneof(inviteLink, appLink);
	const blank = fc.string({
		unit: fc.constantFrom(' ', '\t', '\n', '\r\n', NBSP, ZWSP, BOM),
		maxLength: 4,
	});
	const quotes = fc.constantFrom<[string, string]>(
		['', ''],
		['"', '"'],
		["'", "'"],
		['`', '`'],
		['\u201C', '\u201D'],
		['\u2018', '\u2019'],
		['\u00AB', '\u00BB'],
		['<', '>'],
	);
	const sentence = fc.tuple(
		fc.constantFrom('', 'Join us: ', 'Our group ', 'Link (', 'Hi! Here: <', 'Entre no grupo: '),
		fc.constantFrom('', ' !', '.', ').', '>, thanks', '? see you', ' :)'),
	);
	/** What may surround a link: whitespace, quotes, a sentence. */
	const wrapping = fc
		.tuple(blank, quotes, blank, sentence)
		.map(([outer, [open, close], inner, [before, after]]) =>
			shown(
				(link) => `${outer}${open}${inner}${before}${link}${after}${inner}${close}${outer}`,
				'<link>',
			),
		);
	/** Every way a user may write a link to the code c, with the wrapping around it. */
	const written = fc.tuple(link, wrapping).map(([write, wrap]) => shown((c) => wrap(write(c))));
	/** Pieces of links, glued in any order: near misses of every kind. */
	const linkPieces = fc
		.array(
			fc.constantFrom(
				'https://',
				'http://',
				'HTTPS://',
				'whatsapp://',
				'chat?',
				'code=',
				'chat.whatsapp.com',
				'www.',
				'WWW.',
				'wa.me',
				'whatsapp.com',
				'/channel/',
				'/',
				'//',
				'/invite/',
				'invite',
				'..',
				'.',
				'?',
				'#',
				'&',
				'@',
				':',
				':8443',
				'g.us',
				's.whatsapp.net',
				'evil.com',
				'xn--',
				'%41',
				'%2E',
				'\\',
				' ',
				'  ',
				'\n',
				'\t',
				'"',
				"'",
				'<',
				'>',
				'(',
				')',
				'\u201C',
				'\u201D',
				ZWSP,
				BOM,
				RLO,
				NUL,
				'+55',
				'11',
				'99999-9999',
				'-',
				'_',
				'ABC',
				'xyz',
				'123',
				CODE,
				'Join us:',
				'!',
			),
			{ maxLength: 14 },
		)
		.map((pieces) => pieces.join(''));
	const anyValue = fc.oneof(
		fc.anything({
			withBigInt: true,
			withBoxedValues: true,
			withDate: true,
			withMap: true,
			withSet: true,
			withNullPrototype: true,
			withObjectString: true,
			withSparseArray: true,
			withTypedArray: true,
			stringUnit: 'binary',
		}),
		fc.string(),
		fc.string({ unit: 'binary' }),
		fc.string({ unit: 'grapheme' }),
		fc.string({
			unit: 'binary',
			minLength: MAX_IDENTIFIER_LENGTH - 5,
			maxLength: MAX_IDENTIFIER_LENGTH + 5,
		}),
		fc.bigInt(),
		fc.double(),
		fc.integer(),
		linkPieces,
		fc.tuple(code, written).map(([c, write]) => write(c)),
	);

	test('it never throws and always answers { ok: true, value } or { ok: false, message }', () => {
		fc.assert(
			fc.property(anyValue, (value) => {
				const result = parseInviteIdentifier(value);
				if (result.ok) expect(Object.keys(result).sort()).toEqual(['ok', 'value']);
				else expect(Object.keys(result).sort()).toEqual(['message', 'ok']);
			}),
			runs,
		);
	});

	test('whatever it accepts is 1 to 64 letters and digits; whatever it refuses has a short, printable message', () => {
		fc.assert(
			fc.property(anyValue, (value) => {
				const result = parseInviteIdentifier(value);
				if (result.ok) {
					expect(result.value).toMatch(VALID_RESULT);
				} else {
					expect(result.message.trim().length).toBeGreaterThan(0);
					expect(result.message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
					expect(result.message).not.toMatch(/\p{Cc}/u);
				}
			}),
			runs,
		);
	});

	test('it is deterministic: the same input gives the same answer, whatever was parsed before', () => {
		fc.assert(
			fc.property(anyValue, anyValue, (before, value) => {
				const first = parseInviteIdentifier(value);
				parseInviteIdentifier(before);
				expect(parseInviteIdentifier(value)).toEqual(first);
			}),
			runs,
		);
	});

	test('every form of a link to a code, however wrapped, reads back exactly that code', () => {
		fc.assert(
			fc.property(code, written, (c, write) => {
				expect(parseInviteIdentifier(write(c))).toEqual({ ok: true, value: c });
			}),
			runs,
		);
	});

	test('a bare code, however wrapped, reads back exactly itself', () => {
		fc.assert(
			fc.property(code, blank, quotes, blank, (c, outer, [open, close], inner) => {
				expect(
					parseInviteIdentifier(`${outer}${open}${inner}${c}${inner}${close}${outer}`),
				).toEqual({ ok: true, value: c });
			}),
			runs,
		);
	});

	test('reading an accepted code again gives the same code (idempotence)', () => {
		fc.assert(
			fc.property(
				fc.oneof(
					anyValue,
					fc.tuple(code, written).map(([c, write]) => write(c)),
				),
				(value) => {
					const first = parseInviteIdentifier(value);
					// The one known exception, pinned above: a link to an 8-15 digit code.
					if (!first.ok || phoneLike(first.value)) return;
					expect(parseInviteIdentifier(first.value)).toEqual(first);
					// chat.whatsapp.com/invite is the /invite path without a code, pinned above.
					if (first.value.toLowerCase() !== 'invite') {
						expect(parseInviteIdentifier(`https://chat.whatsapp.com/${first.value}`)).toEqual(
							first,
						);
					}
				},
			),
			runs,
		);
	});

	test('a non-negative safe integer is read as its digits, unless they read as a phone number', () => {
		fc.assert(
			fc.property(fc.oneof(fc.nat(), fc.maxSafeNat()), (n) => {
				const digits = String(n);
				if (phoneLike(digits)) expect(expectRefused(n)).toMatch(/phone number/);
				else expect(parseInviteIdentifier(n)).toEqual({ ok: true, value: digits });
				expect(parseInviteIdentifier(BigInt(n))).toEqual(parseInviteIdentifier(n));
			}),
			runs,
		);
	});

	test('a value that is neither text nor a number is refused', () => {
		const notText = fc.oneof(
			fc.constant(null),
			fc.constant(undefined),
			fc.boolean(),
			fc.array(fc.anything()),
			fc.object(),
			fc.dictionary(fc.string(), fc.string()),
			code.map((c) => ({ toString: () => c, valueOf: () => c })),
			code.map((c) => [c]),
		);
		fc.assert(
			fc.property(notText, (value) => {
				expectRefused(value);
			}),
			runs,
		);
	});

	test('a link on any host other than chat.whatsapp.com or www.chat.whatsapp.com is refused', () => {
		const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
		const host = fc.oneof(
			fc.domain(),
			fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => `${labels.join('.')}.com`),
			fc.domain().map((d) => `chat.whatsapp.com.${d}`),
			fc.domain().map((d) => `${d}.chat.whatsapp.com`),
			label.map((l) => `${l}chat.whatsapp.com`),
			label.map((l) => `chat.whatsapp.com${l}`),
			label.map((l) => `chat.whatsapp.${l}`),
			label.map((l) => `chat.${l}.com`),
			label.map((l) => `${l}.whatsapp.com`),
			label.map((l) => `chat.whatsapp.com-${l}`),
			fc.nat(65535).map((port) => `chat.whatsapp.com:${port}`),
			label.map((l) => `${l}@chat.whatsapp.com`),
			label.map((l) => `chat.whatsapp.com@${l}.com`),
			fc.constantFrom(
				'chat.whatsapp.com.',
				'www.chat.whatsapp.com.',
				'whatsapp.com',
				'wa.me',
				'api.whatsapp.com',
				'web.whatsapp.com',
				'w.chat.whatsapp.com',
				'www.www.chat.whatsapp.com',
			),
		);
		fc.assert(
			fc.property(
				fc.mixedCase(host),
				code,
				scheme,
				fc.constantFrom('/', '/invite/'),
				(h, c, s, path) => {
					fc.pre(!['chat.whatsapp.com', 'www.chat.whatsapp.com'].includes(h.toLowerCase()));
					expectRefused(`${s}${h}${path}${c}`);
					expectRefused(`Join us: ${s}${h}${path}${c} !`);
				},
			),
			runs,
		);
	});

	test('a link on the invite host with any scheme but http or https is refused', () => {
		const otherScheme = fc
			.stringMatching(/^[A-Za-z][A-Za-z0-9+.-]{0,10}$/)
			.filter((s) => !/^https?$/i.test(s));
		fc.assert(
			fc.property(otherScheme, code, (s, c) => {
				expect(expectRefused(`${s}://chat.whatsapp.com/${c}`)).toMatch(/scheme/);
			}),
			runs,
		);
	});

	test('two different codes as links in one text are refused', () => {
		const separator = fc.constantFrom(' ', ' or ', ', ', ' and also ', ' | ', '  ');
		fc.assert(
			fc.property(
				code,
				code,
				link,
				link,
				separator,
				sentence,
				(a, b, writeA, writeB, between, [before, after]) => {
					fc.pre(a !== b);
					const text = `${before}${writeA(a)}${between}${writeB(b)}${after}`;
					expect(expectRefused(text)).toMatch(/2 different invite links/);
				},
			),
			runs,
		);
	});

	test('a code with any character other than letters and digits is refused', () => {
		// Characters that end a code in a link (/, ?, #, & in an app link) or split a text (whitespace) are left out:
		// with them the input is a different, valid, link.
		const bad = fc
			.string({ unit: 'binary', minLength: 1, maxLength: 1 })
			.filter((ch) => !/^[A-Za-z0-9/?#&\s]$/.test(ch));
		fc.assert(
			fc.property(
				code,
				bad,
				code,
				fc.constantFrom(
					shown((c) => c),
					shown((c) => `https://chat.whatsapp.com/${c}`),
					shown((c) => `chat.whatsapp.com/invite/${c}`),
					shown((c) => `whatsapp://chat?code=${c}`),
				),
				(a, ch, b, write) => {
					expectRefused(write(`${a}${ch}${b}`));
				},
			),
			runs,
		);
	});

	test('a control or invisible character inside the value is refused, wherever it is', () => {
		const control = fc.oneof(
			fc.integer({ min: 0x00, max: 0x1f }),
			fc.integer({ min: 0x7f, max: 0x9f }),
			// soft hyphen, zero-width characters, bidi marks, embeddings, overrides and isolates, word joiner, BOM
			fc.constantFrom(
				0xad,
				0x200b,
				0x200c,
				0x200d,
				0x200e,
				0x200f,
				0x202a,
				0x202b,
				0x202c,
				0x202d,
				0x202e,
			),
			fc.constantFrom(0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0xfeff),
		);
		fc.assert(
			fc.property(code, link, wrapping, control, fc.nat(), (c, write, wrap, point, at) => {
				// Inside the link itself: at the edges of the value the same characters are rightly trimmed.
				const text = write(c);
				const cut = 1 + (at % (text.length - 1));
				const value = wrap(`${text.slice(0, cut)}${String.fromCodePoint(point)}${text.slice(cut)}`);
				expect(expectRefused(value)).toMatch(/control or invisible|line breaks/);
			}),
			runs,
		);
	});

	test('a code longer than 64 characters is refused in every form', () => {
		fc.assert(
			fc.property(letterOrDigitString(MAX_CODE_LENGTH + 1, 200), written, (c, write) => {
				expect(expectRefused(c)).toMatch(/characters long/);
				expect(expectRefused(write(c))).toMatch(/characters long/);
			}),
			runs,
		);
	});

	test('any value longer than the longest read is refused, even around a valid link', () => {
		fc.assert(
			fc.property(
				code,
				fc.integer({ min: 1, max: 3000 }),
				fc.constantFrom(' ', 'a', '\n'),
				(c, extra, pad) => {
					const value = `https://chat.whatsapp.com/${c} `.padEnd(
						MAX_IDENTIFIER_LENGTH + extra,
						pad,
					);
					expect(expectRefused(value)).toMatch(/characters long/);
				},
			),
			runs,
		);
	});

	test('a phone number, however written, is refused as a phone number', () => {
		const phone = fc
			.tuple(
				fc.constantFrom('', '+', '+55 ', '+1 ', '00'),
				fc.stringMatching(/^[1-9]\d{1,2}$/),
				fc.constantFrom(' ', '-', '', ') '),
				fc.stringMatching(/^\d{4,5}$/),
				fc.constantFrom('-', ' ', '', '.'),
				fc.stringMatching(/^\d{4}$/),
			)
			.map(
				([country, area, sep1, part1, sep2, part2]) =>
					`${country}${sep1 === ') ' ? `(${area}` : area}${sep1}${part1}${sep2}${part2}`,
			)
			.filter((p) => p.replace(/\D/g, '').length <= 15);
		fc.assert(
			fc.property(phone, blank, (p, around) => {
				expect(expectRefused(`${around}${p}${around}`)).toMatch(/phone number/);
				expect(expectRefused(`https://wa.me/${p.replace(/\D/g, '')}`)).toMatch(/phone number/);
			}),
			runs,
		);
	});

	test('a JID is refused as a JID', () => {
		const jid = fc
			.tuple(
				fc.oneof(fc.stringMatching(/^\d{8,20}$/), fc.stringMatching(/^\d{10,13}:\d{1,2}$/), code),
				fc.mixedCase(
					fc.constantFrom('g.us', 's.whatsapp.net', 'c.us', 'lid', 'newsletter', 'broadcast'),
				),
			)
			.map(([user, server]) => `${user}@${server}`);
		fc.assert(
			fc.property(jid, quotes, (j, [open, close]) => {
				expect(expectRefused(`${open}${j}${close}`)).toMatch(/JID/);
			}),
			runs,
		);
	});
});

describe('messages never carry invisible characters raw', () => {
	it.each(['\u202E', '\u200B', '\u2066', '\uFEFF', '\u061C', '\u0085'])(
		'escapes U+%s',
		(character) => {
			const result = parseInviteIdentifier(`ABC${character}123`);
			expect(result.ok).toBe(false);
			if (!result.ok) {
				expect(result.message).not.toContain(character);
				expect(result.message).toContain(
					`\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
				);
			}
		},
	);
});

describe('readGroupJid: the one reading of a group JID', () => {
	test.each([
		['120363406289005073@g.us', '120363406289005073@g.us'],
		['120363406289005073@G.US', '120363406289005073@g.us'],
		// An older group: the creator's number, a dash, a timestamp.
		['5511999999999-1500000000@g.us', '5511999999999-1500000000@g.us'],
		[`${'1'.repeat(5)}@g.us`, `${'1'.repeat(5)}@g.us`],
		[`${'1'.repeat(32)}-${'2'.repeat(32)}@g.us`, `${'1'.repeat(32)}-${'2'.repeat(32)}@g.us`],
	])('%j is %j', (text, jid) => {
		expect(readGroupJid(text)).toBe(jid);
		expect(readGroupJid(text, true)).toBe(jid);
	});

	test('the id alone is read, and completed, only when allowed', () => {
		expect(readGroupJid('120363406289005073')).toBeUndefined();
		expect(readGroupJid('120363406289005073', true)).toBe('120363406289005073@g.us');
		expect(readGroupJid('5511999999999-1500000000', true)).toBe('5511999999999-1500000000@g.us');
	});

	test.each([
		'1234@g.us',
		`${'1'.repeat(33)}@g.us`,
		'12345-1234@g.us',
		`12345-${'1'.repeat(33)}@g.us`,
		'abc@g.us',
		'5511999999999@s.whatsapp.net',
		'120363406289005073@g.us.evil',
		' 120363406289005073@g.us',
		'120363406289005073@@g.us',
		'https://chat.whatsapp.com/ABC123XYZ',
		'',
	])('%j is no group JID, bare ids allowed or not', (text) => {
		expect(readGroupJid(text)).toBeUndefined();
		expect(readGroupJid(text, true)).toBeUndefined();
	});
});

describe('quoteForMessage: user input as a message shows it', () => {
	test('short text is quoted as JSON, whole', () => {
		expect(quoteForMessage('abc "d"')).toBe('"abc \\"d\\""');
	});

	test('long text is cut short, the rendering at most 100 characters', () => {
		expect(quoteForMessage('x'.repeat(500))).toBe(`"${'x'.repeat(57)}..."`);
		expect(quoteForMessage(NUL.repeat(500)).length).toBeLessThanOrEqual(100);
	});

	test('invisible characters are escaped, never shown raw', () => {
		expect(quoteForMessage(`a${ZWSP}b${LRM}`)).toBe('"a\\u200bb\\u200e"');
	});
});
