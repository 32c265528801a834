/**
 * Turns whatever a user pasted (a code, a link, a sentence with a link) into the bare invite code
 * that POST /api/group/join accepts, or refuses it with a sentence saying why. Pure: refusing
 * here costs no request, and every request spends the token's shared rate limit.
 */

import type { Checked } from './interfaces';
import { refuse } from './interfaces';

/** The invite code read out of what the user pasted, or why none could be. */
export type ParsedIdentifier = Checked<string>;

/** Longest code accepted. Public codes have 22 characters; private ones have been seen at 16. */
const MAX_CODE_LENGTH = 64;
/** Longest input read at all: room for a pasted message around a link, not for a document. */
const MAX_IDENTIFIER_LENGTH = 2048;

const CODE = /^[A-Za-z0-9]+$/;
const INVITE_HOSTS = new Set(['chat.whatsapp.com', 'www.chat.whatsapp.com']);
// C0/C1 controls, and the invisible format characters (zero-width, bidi overrides) used to disguise text.
const CONTROL_OR_FORMAT =
	/[\p{Cc}\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/u;
// Invisible characters that sheets and chat apps leave around a pasted value.
const EDGE_INVISIBLES = /^[\s\u200B-\u200D\u2060\uFEFF]+|[\s\u200B-\u200D\u2060\uFEFF]+$/g;
const QUOTE_PAIRS: ReadonlyArray<readonly [string, string]> = [
	['"', '"'],
	["'", "'"],
	['`', '`'],
	['\u201C', '\u201D'],
	['\u2018', '\u2019'],
	['\u00AB', '\u00BB'],
	['<', '>'],
];
// Punctuation that clings to a link written inside a sentence: "(see chat.whatsapp.com/X)."
const TOKEN_EDGE_PUNCTUATION =
	/^[("'`\u201C\u2018\u00AB<[{]+|[)"'`\u201D\u2019\u00BB>\]},.;:!?]+$/g;
const JID = /^[^\s@]+@(g\.us|s\.whatsapp\.net|c\.us|lid|newsletter|broadcast)$/i;
// A group's id: digits (old groups: the creator's number, a dash, a timestamp); its JID ends in @g.us.
const GROUP_JID = /^(\d{5,32}(?:-\d{5,32})?)(@g\.us)?$/i;
const PHONE_LIKE = /^\+?[\d\s().-]+$/;

export function parseInviteIdentifier(value: unknown): ParsedIdentifier {
	const text = identifierText(value);
	if (!text.ok) return text;

	if (text.value.length > MAX_IDENTIFIER_LENGTH) {
		return refuse(
			`The identifier is ${text.value.length} characters long; at most ${MAX_IDENTIFIER_LENGTH} are read.`,
		);
	}
	const trimmed = stripQuotes(text.value.replace(EDGE_INVISIBLES, ''));
	if (trimmed === '')
		return refuse('The identifier is empty: pass an invite link or an invite code.');
	if (/[\r\n]/.test(trimmed)) {
		return refuse(
			`The identifier ${quoteForMessage(trimmed)} has line breaks inside: put one invite link or code per item.`,
		);
	}
	if (CONTROL_OR_FORMAT.test(trimmed)) {
		return refuse(
			`The identifier ${quoteForMessage(trimmed)} contains control or invisible characters.`,
		);
	}

	const tokens = trimmed.split(/\s+/);
	if (tokens.length === 1 || PHONE_LIKE.test(trimmed)) return parseSingleToken(trimmed);
	return parseTextWithLink(trimmed, tokens);
}

function identifierText(value: unknown): Checked<string> {
	if (value === null || value === undefined) {
		return refuse('The identifier is empty: pass an invite link or an invite code.');
	}
	if (typeof value === 'string') return { ok: true, value };
	if (typeof value === 'bigint') {
		return value >= 0n
			? { ok: true, value: value.toString() }
			: refuse(`The number ${quoteForMessage(value.toString())} is not an invite code.`);
	}
	if (typeof value === 'number') {
		if (Number.isSafeInteger(value) && value >= 0) return { ok: true, value: String(value) };
		if (Number.isInteger(value) && value > 0) {
			return refuse(
				`The number ${value} is too large to be read exactly: pass the invite code as text.`,
			);
		}
		return refuse(`The number ${value} is not an invite code.`);
	}
	const kind = Array.isArray(value)
		? 'a list'
		: typeof value === 'object'
			? 'an object'
			: `a ${typeof value}`;
	return refuse(`The identifier must be text with an invite link or code, but it is ${kind}.`);
}

/**
 * A group's JID as WhatsApp writes it (`120363406289005073@g.us`, or an older group's
 * `5511999999999-1500000000@g.us`), in lower case; undefined for anything else. With
 * `bareIdAllowed` the id alone is read too and completed, as dashboards and exports show it.
 */
export function readGroupJid(text: string, bareIdAllowed = false): string | undefined {
	const match = GROUP_JID.exec(text);
	if (!match || (match[2] === undefined && !bareIdAllowed)) return undefined;
	return `${match[1]}@g.us`;
}

/**
 * What the info and leave routes accept: a group's JID (`120363406289005073@g.us`), sent as it is,
 * or an invite link or code, read as parseInviteIdentifier reads it.
 */
export function parseGroupIdentifier(value: unknown): ParsedIdentifier {
	if (typeof value === 'string' && value.length <= MAX_IDENTIFIER_LENGTH) {
		const trimmed = stripQuotes(value.replace(EDGE_INVISIBLES, ''));
		const groupJid = readGroupJid(trimmed);
		if (groupJid !== undefined) return { ok: true, value: groupJid };
		if (JID.test(trimmed)) {
			return refuse(
				`${quoteForMessage(trimmed)} is the WhatsApp ID of a person, a channel or a list, not of a group: pass a group JID (…@g.us), an invite link or an invite code.`,
			);
		}
	}
	return parseInviteIdentifier(value);
}

function parseSingleToken(token: string): ParsedIdentifier {
	if (CODE.test(token)) {
		if (looksLikePhoneNumber(token)) return refuse(phoneMessage(token));
		if (token.length > MAX_CODE_LENGTH) {
			return refuse(
				`The invite code is ${token.length} characters long; invite codes have at most ${MAX_CODE_LENGTH}.`,
			);
		}
		return { ok: true, value: token };
	}
	if (looksLikePhoneNumber(token)) return refuse(phoneMessage(token));
	if (JID.test(token)) {
		return refuse(
			`${quoteForMessage(token)} is a WhatsApp ID (JID), which the join route does not accept: pass the group's invite link or code.`,
		);
	}
	// A link pasted from the end of a sentence keeps its punctuation: "chat.whatsapp.com/X." reads as in a text.
	const link = parseLink(token.replace(TOKEN_EDGE_PUNCTUATION, ''));
	if (link.kind === 'invite') return link.result;
	if (link.kind === 'other') return refuse(link.message);
	return refuse(
		`${quoteForMessage(token)} is neither an invite code (letters and digits) nor a chat.whatsapp.com invite link.`,
	);
}

function parseTextWithLink(text: string, tokens: string[]): ParsedIdentifier {
	const codes = new Set<string>();
	const refusals: string[] = [];
	const otherLinks: string[] = [];
	for (const rawToken of tokens) {
		const token = rawToken.replace(TOKEN_EDGE_PUNCTUATION, '');
		const link = parseLink(token);
		if (link.kind === 'invite') {
			if (link.result.ok) codes.add(link.result.value);
			else refusals.push(link.result.message);
		} else if (link.kind === 'other') {
			otherLinks.push(link.message);
		}
	}
	if (codes.size > 1) {
		const shown = [...codes].slice(0, 2).join(', ') + (codes.size > 2 ? ', ...' : '');
		return refuse(
			`The text holds ${codes.size} different invite links (${shown}); pass one per item so it is clear which group to join.`,
		);
	}
	if (codes.size === 1) {
		if (refusals.length > 0)
			return refuse(`The text holds an invite link that cannot be used: ${refusals[0]}`);
		return { ok: true, value: [...codes][0] };
	}
	if (refusals.length > 0) return refuse(refusals[0]);
	if (otherLinks.length > 0)
		return refuse(`No chat.whatsapp.com invite link was found in the text: ${otherLinks[0]}`);
	return refuse(`No chat.whatsapp.com invite link was found in the text ${quoteForMessage(text)}.`);
}

type LinkReading =
	| { kind: 'invite'; result: ParsedIdentifier }
	| { kind: 'other'; message: string }
	| { kind: 'notLink' };

/** Reads one whitespace-free token as a link; the host must be exactly an invite host. */
function parseLink(token: string): LinkReading {
	const appLink = /^whatsapp:\/\/chat\?(.*)$/i.exec(token);
	if (appLink) return { kind: 'invite', result: codeFromQuery(appLink[1], token) };

	const match = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(
		token,
	);
	if (!match) return { kind: 'notLink' };
	const [, scheme, authority, path] = match;
	const host = authority.toLowerCase();
	const hasScheme = scheme !== undefined;
	if (!hasScheme && !host.includes('.')) return { kind: 'notLink' };
	if (!hasScheme && path === '' && !/whatsapp|wa\.me/.test(host)) return { kind: 'notLink' };

	if (INVITE_HOSTS.has(host)) {
		if (hasScheme && !/^https?$/i.test(scheme)) {
			return {
				kind: 'invite',
				result: refuse(
					`${quoteForMessage(token)} uses the scheme ${quoteForMessage(`${scheme}:`)}; invite links use https.`,
				),
			};
		}
		return { kind: 'invite', result: codeFromPath(path, token) };
	}
	if (host === 'wa.me' || host === 'api.whatsapp.com' || host.endsWith('.wa.me')) {
		return {
			kind: 'other',
			message: `${quoteForMessage(token)} is a link to a chat with a phone number, not a group invite link.`,
		};
	}
	if ((host === 'whatsapp.com' || host === 'www.whatsapp.com') && /^\/channel\//i.test(path)) {
		return {
			kind: 'other',
			message: `${quoteForMessage(token)} is a WhatsApp channel link, not a group invite link.`,
		};
	}
	if (/whatsapp/.test(host)) {
		return {
			kind: 'other',
			message: `${quoteForMessage(token)} is not on chat.whatsapp.com; only chat.whatsapp.com invite links are accepted.`,
		};
	}
	return {
		kind: 'other',
		message: `${quoteForMessage(token)} is a link to another site, not a chat.whatsapp.com invite link.`,
	};
}

function codeFromPath(path: string, token: string): ParsedIdentifier {
	const segments = path.split('/');
	// path is "/CODE", "/CODE/", "/invite/CODE" or "/invite/CODE/"
	if (segments[0] !== '')
		return refuse(`${quoteForMessage(token)} has no invite code after the host.`);
	const rest = segments.slice(1);
	if (rest.length > 1 && rest[rest.length - 1] === '') rest.pop();
	if (rest.length === 2 && rest[0].toLowerCase() === 'invite') rest.shift();
	else if (rest.length === 1 && rest[0].toLowerCase() === 'invite') rest.pop();
	if (rest.length !== 1 || rest[0] === '') {
		return refuse(
			`${quoteForMessage(token)} is not an invite link: expected chat.whatsapp.com/ followed by the invite code.`,
		);
	}
	return validCode(rest[0], token);
}

function codeFromQuery(query: string, token: string): ParsedIdentifier {
	const codes = query
		.split('&')
		.filter((pair) => pair.toLowerCase().startsWith('code='))
		.map((pair) => pair.slice('code='.length));
	if (codes.length !== 1) return refuse(`${quoteForMessage(token)} has no single code= parameter.`);
	return validCode(codes[0], token);
}

function validCode(code: string, token: string): ParsedIdentifier {
	if (!CODE.test(code)) {
		return refuse(
			`The invite code in ${quoteForMessage(token)} has characters other than letters and digits.`,
		);
	}
	if (code.length > MAX_CODE_LENGTH) {
		return refuse(
			`The invite code in ${quoteForMessage(token)} is ${code.length} characters long; at most ${MAX_CODE_LENGTH}.`,
		);
	}
	return { ok: true, value: code };
}

function looksLikePhoneNumber(text: string): boolean {
	if (!PHONE_LIKE.test(text)) return false;
	const digits = text.replace(/\D/g, '').length;
	// E.164 numbers have at most 15 digits; all-digit codes of 16+ stay codes. Short digit runs
	// stay codes too unless written like a phone number (with +, spaces, dashes or brackets).
	if (digits > 15) return false;
	return /^\d+$/.test(text) ? digits >= 8 : digits >= 6;
}

function phoneMessage(text: string): string {
	return `${quoteForMessage(text)} looks like a phone number, not a group invite: pass the group's invite link or code.`;
}

/** Strips matching quotes (and the whitespace inside them) around the whole value, repeatedly. */
function stripQuotes(text: string): string {
	let current = text;
	for (;;) {
		const pair = QUOTE_PAIRS.find(
			([open, close]) => current.length >= 2 && current.startsWith(open) && current.endsWith(close),
		);
		if (!pair) return current;
		current = current.slice(1, -1).replace(EDGE_INVISIBLES, '');
	}
}

/** A short, printable rendering of user input for messages: never the whole of a huge value. */
export function quoteForMessage(text: string): string {
	let shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
	// Escaped characters (\u0000, lone surrogates) render six characters long: keep the rendering short too.
	while (JSON.stringify(shown).length > 100) shown = `${shown.slice(0, -4)}...`;
	// JSON escapes control characters but not invisible ones (a bidi override would flip the message).
	return JSON.stringify(shown).replace(
		/[\u007F-\u009F\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g,
		(character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
}
