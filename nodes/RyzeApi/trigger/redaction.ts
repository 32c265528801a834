/** What stands where the instance's token was. */
const REDACTED = '[redacted]';

/**
 * A copy of a delivery's JSON in which the instance's token survives nowhere: in no value and no
 * key, whole or inside a longer string (a URL with the token in its query, say). Iterative, so a
 * deeply nested body cannot overflow the stack. Pure.
 */
export function redactToken(value: unknown, token: string | undefined): unknown {
	if (typeof token !== 'string' || token === '') return value;
	const scrub = scrubber(token);
	// Wrapped in an array, whose indexes are not scrubbed as keys are.
	const top: unknown[] = [];
	const pending: Array<[source: object, target: object]> = [[[value], top]];
	for (let pair = pending.pop(); pair !== undefined; pair = pending.pop()) {
		const [source, target] = pair;
		const isArray = Array.isArray(source);
		for (const [key, child] of Object.entries(source)) {
			let copy: unknown = child;
			if (typeof child === 'string') copy = scrub(child);
			else if (typeof child === 'object' && child !== null) {
				copy = Array.isArray(child) ? [] : {};
				pending.push([child, copy as object]);
			}
			// defineProperty, not assignment: a key named __proto__ stays a plain key.
			Object.defineProperty(target, isArray ? key : scrub(key), {
				value: copy,
				enumerable: true,
				writable: true,
				configurable: true,
			});
		}
	}
	return top[0];
}

function scrubber(token: string): (text: string) => string {
	// A token that is part of the placeholder itself would come back with it.
	const placeholder = REDACTED.includes(token) ? '' : REDACTED;
	return (text) => {
		if (!text.includes(token)) return text;
		const replaced = text.split(token).join(placeholder);
		// Pieces either side of a replacement can join into the token again: then nothing of it stays.
		return replaced.includes(token) ? placeholder : replaced;
	};
}
