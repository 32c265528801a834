/**
 * `npm run test:queue`: finds (or installs) n8n 2.8.4, PostgreSQL and Redis, then runs the
 * queue-mode suite. Where one of them cannot be had (no disk, no registry, not root for apt-get),
 * it says so in one line and exits 0, so CI goes on without it; every other failure fails.
 * Prints the 429 figures of each run again at the end, then the join ledger's (requests against
 * the budget, items lost or doubled), and how long each step took. `--quick`: half the window and
 * half the joins of the pacing runs (for CI), the same checks; the join ledger's runs are the same.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensureN8n, N8N_VERSION } from '../support/n8n/realN8n';
import { exitWith, runJest } from '../support/suiteRunner';
import { findPostgres, findRedis } from '../support/n8n/queueServices';
import type { LedgerFigures } from '../support/n8n/ledgerWorkflow';

async function main(): Promise<number> {
	const started = Date.now();
	console.log(`queue: preparing n8n ${N8N_VERSION}, PostgreSQL and Redis...`);
	const n8n = await ensureN8n();
	if (!n8n.ok) {
		console.log(`queue SKIPPED: ${n8n.reason}.`);
		return 0;
	}
	const postgres = await findPostgres();
	if (!postgres.ok) {
		console.log(`queue SKIPPED: ${postgres.reason}.`);
		return 0;
	}
	const redis = await findRedis();
	if (!redis.ok) {
		console.log(`queue SKIPPED: ${redis.reason}.`);
		return 0;
	}
	const prepared = [
		n8n.installedNow ? `n8n installed in ${n8n.seconds.toFixed(0)} s` : 'n8n from the cache',
		postgres.installedNow
			? `PostgreSQL installed in ${postgres.seconds.toFixed(0)} s`
			: `PostgreSQL from ${postgres.path}`,
		redis.installedNow
			? `Redis installed in ${redis.seconds.toFixed(0)} s`
			: `Redis from ${redis.path}`,
	];
	console.log(`queue: ${prepared.join('; ')}`);
	const prepareSeconds = (Date.now() - started) / 1000;

	const scratch = mkdtempSync(join(tmpdir(), 'ryzeapi-queue-figures-'));
	const figuresFile = join(scratch, 'figures.json');
	const ledgerFiguresFile = join(scratch, 'ledger-figures.json');
	try {
		const status = runJest(
			'jest.queue.config.js',
			process.argv.slice(2).filter((arg) => arg !== '--quick'),
			{
				QUEUE_N8N_INSTALL_DIR: n8n.dir,
				QUEUE_POSTGRES_BIN_DIR: postgres.path,
				QUEUE_REDIS_SERVER: redis.path,
				QUEUE_FIGURES_FILE: figuresFile,
				QUEUE_LEDGER_FIGURES_FILE: ledgerFiguresFile,
				QUEUE_QUICK: process.argv.includes('--quick') ? '1' : '',
			},
		);
		if (existsSync(figuresFile)) printSummary(readFileSync(figuresFile, 'utf8'));
		if (existsSync(ledgerFiguresFile)) printLedgerFigures(readFileSync(ledgerFiguresFile, 'utf8'));
		const cold = n8n.installedNow || postgres.installedNow || redis.installedNow;
		console.log(
			`queue: ${status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s (preparing ${prepareSeconds.toFixed(0)} s, ${cold ? 'cold: something installed in this run' : 'warm: everything from the cache'})`,
		);
		return status;
	} finally {
		rmSync(scratch, { recursive: true, force: true });
	}
}

interface Summary {
	workers: number;
	joins: number;
	lost: number;
	duplicated: number;
	failed: Record<string, number>;
	figures: {
		requests: number;
		rateLimited: number;
		rateLimitedRatio: number;
		mostTries: number;
		mostRequestsInWindow: number;
		efficiency: number;
	};
}

function printSummary(json: string): void {
	const runs = JSON.parse(json) as Summary[];
	console.log('queue figures (printed, not asserted):');
	console.log(
		'  workers | joins | requests | 429s | 429 ratio | most tries | most in a window | efficiency | lost | duplicated | on Failed',
	);
	for (const run of runs) {
		const f = run.figures;
		console.log(
			`  ${run.workers} | ${run.joins} | ${f.requests} | ${f.rateLimited} | ${(f.rateLimitedRatio * 100).toFixed(1)}% | ${f.mostTries} | ${f.mostRequestsInWindow} | ${f.efficiency.toFixed(2)} | ${run.lost} | ${run.duplicated} | ${Object.values(run.failed).reduce((a, b) => a + b, 0)}`,
		);
	}
}

function printLedgerFigures(json: string): void {
	const runs = JSON.parse(json) as LedgerFigures[];
	console.log(
		"queue join ledger figures (n8n's Redis; requests at most the budget, none lost or doubled: asserted):",
	);
	console.log(
		'  scenario | join requests / budget | items out / posted | lost | doubled | by status | seconds',
	);
	for (const run of runs) {
		console.log(
			`  ${run.scenario} | ${run.requests} / ${run.budget} | ${run.itemsOut} / ${run.posted} | ${run.lost} | ${run.doubled} | ${JSON.stringify(run.byStatus)} | ${run.seconds.toFixed(1)}${run.note ? `\n    ${run.note}` : ''}`,
		);
	}
}

exitWith(main);
