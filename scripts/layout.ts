/**
 * `npm run layout`: the figures of the code's layout (CONTRIBUTING.md, "Code layout"), printed:
 * imports between nodes and up the floors, cycles, the longest file, exports only tests use.
 * test/unit/codeLayout.test.ts asserts the same figures.
 */
import { layoutFigures } from '../test/support/codeLayout';

const figures = layoutFigures();
const rows: Array<[string, string]> = [
	['product files', String(figures.files)],
	[
		"imports from one node's folder into another's (or the credential into a node)",
		String(figures.crossNodeImports.length),
	],
	['imports up the floors', String(figures.upwardImports.length)],
	['import cycles', String(figures.cycles.length)],
	['longest file', `${figures.longestFile.file} (${figures.longestFile.lines} lines)`],
	['exported values no product file imports', String(figures.exportsWithoutProductImporter.length)],
];
for (const [name, value] of rows) console.log(`${name}: ${value}`);
for (const line of [...figures.crossNodeImports, ...figures.upwardImports])
	console.log(`  ${line}`);
for (const cycle of figures.cycles) console.log(`  cycle: ${cycle.join(' → ')}`);
for (const name of figures.exportsWithoutProductImporter)
	console.log(`  only tests import ${name}`);
