/**
 * The benchmark's figures: a key, a value (rounded to 3 decimals, null when not measurable here)
 * and what it measures. Printed as a table and one JSON line; written as BENCHMARK.md with the
 * date, the machine and the command, the one place the README points to for figures.
 */
import { writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';

import { format, resolveConfig } from 'prettier';

export interface BenchRun {
	date: Date;
	seconds: number;
	/** The command line that made the figures. */
	command: string;
	quick: boolean;
	/** os.loadavg() before the first scenario: whether the machine was quiet. */
	loadBefore: number[];
}

export class Report {
	readonly figures: Record<string, number | null> = {};

	private readonly rows: Array<[string, string, string]> = [];

	record(key: string, value: number | null, note: string): void {
		this.figures[key] = value === null ? null : Math.round(value * 1000) / 1000;
		this.rows.push([key, value === null ? 'n/a' : String(this.figures[key]), note]);
	}

	/** A line under the figures that is not a figure of its own. */
	aside(note: string): void {
		this.rows.push(['', '', note]);
	}

	print(title: string): void {
		const width = Math.max(...this.rows.map(([key]) => key.length));
		console.log(`\n${title}\n`);
		for (const [key, value, note] of this.rows)
			console.log(`  ${key.padEnd(width)}  ${value ? `${value}  ` : '   '}${note}`);
		console.log(JSON.stringify(this.figures));
	}

	/** Writes the figures to `file` as Markdown, formatted as the repository's prettier config says. */
	async writeMarkdown(file: string, run: BenchRun): Promise<void> {
		const options = await resolveConfig(file);
		writeFileSync(file, await format(this.markdown(run), { ...options, filepath: file }));
	}

	private markdown(run: BenchRun): string {
		const cell = (text: string) => text.replace(/\|/g, '\\|');
		const cores = cpus();
		const gib = (totalmem() / 1024 ** 3).toFixed(1);
		const load = run.loadBefore.map((value) => value.toFixed(2)).join(', ');
		return [
			'# Benchmark',
			'',
			`Written by \`${run.command}\` (scripts/bench.ts) on ${run.date.toISOString().slice(0, 16).replace('T', ' ')} UTC, in ${run.seconds} s${run.quick ? ', with --quick (smaller runs: figures less steady)' : ''}. Do not edit: run it again.`,
			'',
			`Machine: ${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown CPU'}), ${gib} GiB memory, ${type()} ${release()}, Node ${process.version}; load average before the run ${load}.`,
			'',
			'Every figure is a count or a ratio of runs measured side by side in one process against the',
			'RyzeAPI emulator on loopback: compare figures from the same machine, not across machines.',
			'',
			'| figure | value | what it measures |',
			'| --- | --- | --- |',
			...this.rows.map(([key, value, note]) =>
				key ? `| \`${key}\` | ${value} | ${cell(note)} |` : `| | | ${cell(note.trim())} |`,
			),
			'',
		].join('\n');
	}
}
