/**
 * error.hint: one for every reason, the same words as the README's "What to do" column; from
 * version 1.1 some depend on the operation, and a failed item's status names its output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { failedItemWords } from '../../nodes/RyzeApi/actions/errorHints';
import { ERROR_REASONS } from '../../nodes/RyzeApi/shared/interfaces';

/** The hints every operation shared in version 1: those the README lists. */
const SHARED = failedItemWords(undefined, 1);

/** Reasons only Join 1.2 gives (the join ledger): Preview and Leave never meet them. */
const JOIN_ONLY = new Set([
	'instance_restricted',
	'join_budget_reached',
	'outside_active_hours',
	'join_in_progress',
	'ledger_unavailable',
]);

test('every reason has a hint, and it is the README\'s "What to do" for that reason', () => {
	const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
	const table = Object.fromEntries(
		// Markdown emphasis (_Section_) is the README's; the hint says the same words without it.
		[...readme.matchAll(/^\| `([a-z_]+)`\s*\|[^|]*\|\s*(.+?)\s*\|$/gm)].map(([, reason, todo]) => [
			reason,
			todo.replace(/\b_([^_]+)_\b/g, '$1'),
		]),
	);
	for (const reason of ERROR_REASONS) {
		expect([reason, SHARED.hint(reason)]).toEqual([reason, expect.stringMatching(/\S/)]);
		expect([reason, SHARED.hint(reason)]).toEqual([reason, table[reason]]);
	}
});

describe('failedItemWords: what a failed item says, per operation and version', () => {
	test('version 1 keeps status "error" and the same hints for every operation', () => {
		for (const operation of ['join', 'preview', 'leave']) {
			const words = failedItemWords(operation, 1);
			expect(words.status).toBe('error');
			for (const reason of ERROR_REASONS) expect(words.hint(reason)).toBe(SHARED.hint(reason));
		}
	});

	test('from 1.1 a failed item says "failed", as the output it leaves on is named', () => {
		for (const operation of ['join', 'preview', 'leave', undefined])
			for (const version of [1.1, 1.2, undefined])
				expect(failedItemWords(operation, version).status).toBe('failed');
	});

	test('from 1.1 a join is told neither to preview nor "join (or leave)"', () => {
		const join = failedItemWords('join', 1.1);
		for (const reason of ERROR_REASONS) {
			expect(join.hint(reason)).not.toMatch(/preview|leave/i);
		}
		expect(join.hint('not_allowed')).toBe('The group does not let this number join.');
	});

	test.each([
		['preview', /join|leave/i],
		['leave', /join|preview/i],
	])('from 1.1 a %s is told nothing about the other operations', (operation, others) => {
		const words = failedItemWords(operation, 1.1);
		for (const reason of ERROR_REASONS.filter((one) => !JOIN_ONLY.has(one))) {
			// not_a_member's hint names a cleanup, which a leave is.
			expect(words.hint(reason)).not.toMatch(others);
		}
	});

	test('not_allowed names the operation; other reasons keep the shared hint', () => {
		expect(failedItemWords('leave', 1.1).hint('not_allowed')).toBe(
			'The group does not let this number leave.',
		);
		expect(failedItemWords('preview', 1.1).hint('group_not_found')).toMatch(
			/previewed by its link or code/,
		);
		for (const operation of ['join', 'preview', 'leave']) {
			const words = failedItemWords(operation, 1.1);
			const own = ERROR_REASONS.filter((reason) => words.hint(reason) !== SHARED.hint(reason));
			expect([operation, own]).toEqual([operation, ['not_allowed', 'group_not_found']]);
		}
		const unknown = failedItemWords('other', 1.1);
		for (const reason of ERROR_REASONS) expect(unknown.hint(reason)).toBe(SHARED.hint(reason));
	});
});
