import { createHash } from 'node:crypto';

/** How a group answers a join. */
export type GroupBehaviour = 'open' | 'approval' | 'revoked' | 'forbidden' | 'missing' | 'invalid';

/**
 * Decides how an invite code behaves. Named codes come first; then a prefix rule lets tests and
 * demos make as many codes of each kind as they need without registering them:
 * Open…, Approval…, Revoked…, Forbidden…, Invalid… (a well-formed code the API calls invalid);
 * any other code is an unknown group (404), unless
 * `unknownCodes` says every unknown code is an open group (benchmarks).
 */
export function behaviourOf(
	code: string,
	named: ReadonlyMap<string, GroupBehaviour>,
	unknownCodes: 'missing' | 'open',
): GroupBehaviour {
	const known = named.get(code);
	if (known) return known;
	if (code.startsWith('Open')) return 'open';
	if (code.startsWith('Approval')) return 'approval';
	if (code.startsWith('Revoked')) return 'revoked';
	if (code.startsWith('Forbidden')) return 'forbidden';
	if (code.startsWith('Invalid')) return 'invalid';
	return unknownCodes;
}

/** The same code always maps to the same group JID, like the provider's repeated joins. */
export function groupJidOf(code: string): string {
	return `1203634${digitsOf(code)}@g.us`;
}

/** 11 decimal digits from a hash of the text. */
function digitsOf(text: string): string {
	return BigInt(`0x${createHash('sha256').update(text).digest('hex').slice(0, 12)}`)
		.toString()
		.padStart(15, '0')
		.slice(0, 11);
}

/** The name /info and group.flow give the group of this code. */
export function groupNameOf(code: string): string {
	return `Group ${code}`;
}

/** The instance's own WhatsApp JID: made up, the same for the same name. */
export function instanceJidOf(instance: string): string {
	return `55${digitsOf(`instance:${instance}`)}@s.whatsapp.net`;
}

/** What the provider does with an identifier: a bare code, or the code extracted from a link. */
export function codeFromIdentifier(identifier: string): string | undefined {
	const trimmed = identifier.trim();
	if (/^[A-Za-z0-9]{1,64}$/.test(trimmed)) return trimmed;
	const link =
		/^(?:https?:\/\/)?chat\.whatsapp\.com\/(?:invite\/)?([A-Za-z0-9]{1,64})\/?(?:[?#].*)?$/i.exec(
			trimmed,
		);
	return link?.[1];
}
