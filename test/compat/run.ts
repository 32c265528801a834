/**
 * `npm run test:compat [-- --only 1.123,2.41] [jest options]`: for each n8n of the version matrix,
 * installs it (and the Node it needs) into the cache unless it is there, then runs the compat
 * suite in it. A version the machine cannot install says so in one line and the others still run;
 * a check failing in any version that ran fails the whole. `--outputFile=FILE` writes the summed
 * counts as jest's --json does (numPassedTests, numFailedTests, numPendingTests).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { CompatOutcome, CompatRun, CompatTarget } from '../support/n8n/compatMatrix';
import {
	COMPAT_MATRIX,
	compatSummary,
	installFailureLine,
	selectTargets,
	totalCounts,
} from '../support/n8n/compatMatrix';
import { ensureN8n, ensureNode } from '../support/n8n/realN8n';
import { exitWith, runJest } from '../support/suiteRunner';

async function main(): Promise<number> {
	const { only, outputFile, jestArgs } = parseArgs(process.argv.slice(2));
	const results = mkdtempSync(join(tmpdir(), 'ryzeapi-compat-results-'));
	const outcomes: CompatOutcome[] = [];
	try {
		for (const target of selectTargets(COMPAT_MATRIX, only))
			outcomes.push(await runTarget(target, results, jestArgs));
	} finally {
		rmSync(results, { recursive: true, force: true });
	}
	const { lines, ok } = compatSummary(outcomes);
	for (const line of lines) console.log(line);
	if (outputFile) {
		const { passed, failed } = totalCounts(outcomes);
		writeFileSync(
			outputFile,
			JSON.stringify({ numPassedTests: passed, numFailedTests: failed, numPendingTests: 0 }),
		);
	}
	return ok ? 0 : 1;
}

async function runTarget(
	target: CompatTarget,
	results: string,
	jestArgs: string[],
): Promise<CompatOutcome> {
	const nodeLabel = target.node ?? process.versions.node;
	const notRun = (reason: string): CompatOutcome => {
		console.log(`compat: n8n ${target.n8n} SKIPPED: ${reason}.`);
		return { n8n: target.n8n, node: nodeLabel, ran: false, reason };
	};
	console.log(
		`compat: preparing n8n ${target.n8n} on Node ${nodeLabel} (needs: ${target.needs}; the first run installs it into the cache)...`,
	);
	const started = Date.now();
	let node: { version: string; binary: string } | undefined;
	let coldSeconds = 0;
	try {
		if (target.node) {
			const installed = await ensureNode(target.node);
			if (!installed.ok) return notRun(installed.reason);
			node = { version: target.node, binary: installed.binary };
			coldSeconds += installed.seconds;
		}
		const install = await ensureN8n(target.n8n, { node, rebuildOnly: target.rebuildOnly });
		if (!install.ok) return notRun(install.reason);
		coldSeconds += install.seconds;
		const installNote = coldSeconds
			? `cold: installed in ${coldSeconds.toFixed(0)} s`
			: 'warm: from the cache';
		console.log(`compat: n8n ${target.n8n} ready (${installNote}), running its checks...`);

		const run: CompatRun = {
			n8n: target.n8n,
			installDir: install.dir,
			nodeBinary: node?.binary,
			nodeVersion: node?.version,
			env: target.env,
		};
		const json = join(results, `${target.n8n}.json`);
		runJest('jest.compat.config.js', ['--json', `--outputFile=${json}`, ...jestArgs], {
			N8N_COMPAT_TARGET: JSON.stringify(run),
		});
		let counts = { numPassedTests: 0, numFailedTests: 1 }; // no report: jest itself failed
		try {
			counts = JSON.parse(readFileSync(json, 'utf8')) as typeof counts;
		} catch {
			console.log(`compat: n8n ${target.n8n}: jest wrote no results`);
		}
		const seconds = ((Date.now() - started) / 1000).toFixed(0);
		return {
			n8n: target.n8n,
			node: nodeLabel,
			ran: true,
			passed: counts.numPassedTests,
			failed: counts.numFailedTests || (counts.numPassedTests ? 0 : 1),
			install: `${installNote}; ${seconds} s in all`,
		};
	} catch (error) {
		// npm could not install it (a dependency the registry lacks, say): this machine, not the package.
		const message = error instanceof Error ? error.message : String(error);
		return notRun(`it cannot be installed here (${installFailureLine(message)})`);
	}
}

function parseArgs(args: string[]): { only: string[]; outputFile?: string; jestArgs: string[] } {
	const only: string[] = [];
	let outputFile: string | undefined;
	const jestArgs: string[] = [];
	for (let index = 0; index < args.length; index++) {
		const arg = args[index];
		const [name, inline] = arg.split(/=(.*)/s);
		const value = () => inline ?? args[++index];
		if (name === '--only') only.push(...value().split(',').filter(Boolean));
		else if (name === '--outputFile') outputFile = value();
		else if (name !== '--json') jestArgs.push(arg);
	}
	return { only, outputFile, jestArgs };
}

exitWith(main);
