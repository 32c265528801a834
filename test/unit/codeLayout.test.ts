/**
 * The layout CONTRIBUTING.md promises, kept true: imports go down the floors and never from one
 * node's folder into another's, no cycles, no product file over 350 lines, few exports only tests
 * use, and "Where things are decided" names functions that are where it says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { layoutFigures, ROOT } from '../support/codeLayout';

const figures = layoutFigures();

test("no file of one node imports from another node's folder; the credential imports no node", () => {
	expect(figures.crossNodeImports).toEqual([]);
});

test('imports go down the floors, never up, and never in a circle', () => {
	expect(figures.upwardImports).toEqual([]);
	expect(figures.cycles).toEqual([]);
});

test('no product file over 350 lines', () => {
	expect(figures.longestFile.lines).toBeLessThanOrEqual(350);
});

test('at most 10 exported values that no product file imports (seams only tests use)', () => {
	expect(figures.exportsWithoutProductImporter.length).toBeLessThanOrEqual(10);
});

describe('"Where things are decided" in CONTRIBUTING.md', () => {
	const text = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8');
	const section = text.slice(
		text.indexOf('### Where things are decided'),
		text.indexOf('## Lint and format'),
	);
	const rows = section
		.split('\n')
		.filter(
			(line) =>
				line.startsWith('| ') && !line.startsWith('| Question') && !line.startsWith('| ---'),
		)
		.map((line) => line.split('|').map((cell) => cell.trim()));

	it("answers the eight questions and the ledger's and the polling trigger's", () => {
		expect(rows.length).toBeGreaterThanOrEqual(14);
	});

	it.each(rows.map((row) => [row[1], row]))('%s', (_question, row) => {
		const file = /`([^`]+)`/.exec(row[2])?.[1] ?? '';
		for (const segment of row[3].split(';')) {
			const elsewhere = /in `([^`]+\.ts)`/.exec(segment)?.[1];
			const path = join(ROOT, 'nodes', 'RyzeApi', elsewhere ?? file);
			const source = readFileSync(path, 'utf8');
			for (const symbol of backticked(segment).filter((name) => /^[A-Za-z_][\w.]*$/.test(name))) {
				expect({ symbol, path, defined: isDefined(source, symbol) }).toEqual({
					symbol,
					path,
					defined: true,
				});
			}
		}
	});
});

function backticked(text: string): string[] {
	return [...text.matchAll(/`([^`]+)`/g)]
		.map(([, name]) => name)
		.filter((name) => !name.endsWith('.ts'));
}

function isDefined(source: string, symbol: string): boolean {
	const [owner, member] = symbol.split('.');
	if (member !== undefined) {
		return (
			new RegExp(`class ${owner}\\b`).test(source) &&
			new RegExp(`\\n\\s+(?:async )?${member}\\(`).test(source)
		);
	}
	return new RegExp(`(?:function|class|const|let|interface|type)\\s+${symbol}\\b`).test(source);
}
