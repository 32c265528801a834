/** error.hint: one for every reason, the same words as the README's "What to do" column. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ERROR_HINTS } from '../../nodes/RyzeApi/helpers/errorHints';
import { ERROR_REASONS } from '../../nodes/RyzeApi/helpers/interfaces';

test('every reason has a hint, and it is the README\'s "What to do" for that reason', () => {
	const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
	const table = Object.fromEntries(
		// Markdown emphasis (_Section_) is the README's; the hint says the same words without it.
		[...readme.matchAll(/^\| `([a-z_]+)`\s*\|[^|]*\|\s*(.+?)\s*\|$/gm)].map(([, reason, todo]) => [
			reason,
			todo.replace(/\b_([^_]+)_\b/g, '$1'),
		]),
	);
	expect(Object.keys(ERROR_HINTS).sort()).toEqual([...ERROR_REASONS].sort());
	for (const reason of ERROR_REASONS)
		expect([reason, ERROR_HINTS[reason]]).toEqual([reason, table[reason]]);
});
