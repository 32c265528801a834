/** Every string of a JSON value, keys and string values alike: where a secret could hide. */
export function stringsOf(value: unknown): string[] {
	if (typeof value === 'string') return [value];
	if (Array.isArray(value)) return value.flatMap(stringsOf);
	if (typeof value === 'object' && value !== null)
		return Object.entries(value).flatMap(([key, child]) => [key, ...stringsOf(child)]);
	return [];
}
