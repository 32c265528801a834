/** Which n8n versions `npm run test:compat` runs, and when it fails. */
import fc from 'fast-check';

import type { CompatOutcome } from '../support/n8n/compatMatrix';
import {
	COMPAT_MATRIX,
	compatSummary,
	installFailureLine,
	selectTargets,
	totalCounts,
} from '../support/n8n/compatMatrix';

test('the matrix: a 1.x, the end-to-end suite’s 2.8.4, and a newest 2.x on a Node of its own', () => {
	expect(COMPAT_MATRIX.map((target) => [target.n8n, target.node])).toEqual([
		['1.123.81', undefined],
		['2.8.4', undefined],
		['2.41.1', '24.22.3'],
	]);
	expect(COMPAT_MATRIX[0].env).toEqual({ N8N_EXPRESSION_ENGINE: 'legacy' });
});

test('--only picks versions by exact version or major.minor, keeps the matrix order, refuses unknown ones', () => {
	expect(selectTargets(COMPAT_MATRIX, [])).toBe(COMPAT_MATRIX);
	expect(selectTargets(COMPAT_MATRIX, ['2.41', '1.123.81']).map((target) => target.n8n)).toEqual([
		'1.123.81',
		'2.41.1',
	]);
	// "2.4" is not a prefix of 2.41.1's major.minor.
	expect(() => selectTargets(COMPAT_MATRIX, ['2.4'])).toThrow(/No n8n 2\.4 in the matrix/);
});

const outcome = fc.oneof(
	fc.record({
		n8n: fc.constantFrom('1.123.81', '2.8.4', '2.41.1'),
		node: fc.constantFrom('20.20.2', '24.22.3'),
		ran: fc.constant(true as const),
		passed: fc.nat(20),
		failed: fc.nat(3),
		install: fc.constant('warm: from the cache'),
	}),
	fc.record({
		n8n: fc.constantFrom('1.123.81', '2.8.4', '2.41.1'),
		node: fc.constantFrom('20.20.2', '24.22.3'),
		ran: fc.constant(false as const),
		reason: fc.constant('the npm registry cannot be reached'),
	}),
);

test('the whole passes exactly when no version that ran failed a check; versions not run never fail it', () => {
	fc.assert(
		fc.property(fc.array(outcome, { maxLength: 5 }), (outcomes: CompatOutcome[]) => {
			const { lines, ok } = compatSummary(outcomes);
			expect(ok).toBe(totalCounts(outcomes).failed === 0);
			expect(lines).toHaveLength(outcomes.length + 1);
			outcomes.forEach((each, index) =>
				expect(lines[index]).toContain(each.ran ? `n8n ${each.n8n} on Node` : 'not run here'),
			);
		}),
	);
});

test('the counts add up over the versions that ran only', () => {
	const outcomes: CompatOutcome[] = [
		{ n8n: '1.123.81', node: '20.20.2', ran: true, passed: 4, failed: 0, install: 'warm' },
		{ n8n: '2.8.4', node: '20.20.2', ran: false, reason: 'no disk' },
		{ n8n: '2.41.1', node: '24.22.3', ran: true, passed: 3, failed: 1, install: 'warm' },
	];
	expect(totalCounts(outcomes)).toEqual({ passed: 7, failed: 1 });
	expect(compatSummary(outcomes).lines.at(-1)).toBe('compat: FAILED in 2 of 3 n8n versions');
});

test("an install that npm refused is one line: npm's verdict and its first explanation", () => {
	// As ensureCachedInstall reports n8n 2.41.3 here (its @n8n/agents is not in the registry).
	expect(
		installFailureLine(
			'npm install of n8n 2.41.3 failed (npm error code ETARGET):\nnpm error code ETARGET\nnpm error notarget No matching version found for @n8n/agents@0.26.2.\nnpm error notarget In most cases you or one of your dependencies are requesting',
		),
	).toBe(
		'npm install of n8n 2.41.3 failed (npm error code ETARGET): No matching version found for @n8n/agents@0.26.2.',
	);
	expect(installFailureLine('spawn npm ENOENT')).toBe('spawn npm ENOENT');
	fc.assert(
		fc.property(fc.string(), (message) => expect(installFailureLine(message)).not.toContain('\n')),
	);
});
