/**
 * Scale: a small and a large run, each in a child process of its own (scaleChild.ts) for its own
 * time and peak memory; the time ratio shows whether the cost per item grows with the run.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { progress, sizes } from './context';
import type { Report } from './report';

export interface ScaleRun {
	ms: number;
	peakRssMb: number;
	lost: number;
}

/** Records the scale figures; resolves with the items the two runs lost. */
export function benchScale(report: Report): { lost: number } {
	progress(`scale: ${sizes.small} and ${sizes.large} items`);
	const small = scaleRun(sizes.small);
	const large = scaleRun(sizes.large);
	report.record(
		'scale_ratio_100k_vs_10k',
		large.ms / small.ms,
		`${sizes.large} items ${Math.round(large.ms)} ms ÷ ${sizes.small} items ${Math.round(small.ms)} ms`,
	);
	report.record(
		'peak_rss_mb_100k',
		large.peakRssMb,
		`peak memory of the ${sizes.large}-item run (MB)`,
	);
	return { lost: small.lost + large.lost };
}

function scaleRun(count: number): ScaleRun {
	const output = execFileSync(
		process.execPath,
		[...process.execArgv, join(__dirname, 'scaleChild.ts'), String(count)],
		{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
	);
	return JSON.parse(output.trim().split('\n').pop() as string) as ScaleRun;
}
