/**
 * The rule of test/support/README.md, kept true: imports run one way. Test files import the
 * product and test/support/ only; scripts/ the product, test/support/ and scripts/; test/support/
 * the product and itself. Read from the sources' relative imports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const PRODUCT = ['nodes/', 'credentials/', 'dist/'];

function sources(folder: string): string[] {
	return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
		.filter((file) => file.endsWith('.ts'))
		.map((file) => join(folder, file));
}

/** Every relative import (from, import(), require()) of a file, as a path from the repository's root. */
function importsOf(file: string): string[] {
	const text = readFileSync(join(ROOT, file), 'utf8');
	const specifiers = [...text.matchAll(/(?:from|import\(?|require\()\s*'(\.{1,2}\/[^']*)'/g)];
	return specifiers.map(([, specifier]) =>
		relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\\/g, '/'),
	);
}

function outside(file: string, allowed: string[]): string[] {
	return importsOf(file)
		.filter((target) => !allowed.some((prefix) => `${target}/`.startsWith(prefix)))
		.map((target) => `${file} imports ${target}`);
}

describe('imports run one way', () => {
	const testFiles = sources('test').filter((file) => !file.startsWith(join('test', 'support')));

	it('test/support/ imports the product and itself, never a test file nor scripts/', () => {
		const wrong = sources(join('test', 'support')).flatMap((file) =>
			outside(file, [...PRODUCT, 'test/support/']),
		);
		expect(wrong).toEqual([]);
	});

	it('test files import the product and test/support/ only, never another test file', () => {
		expect(testFiles.length).toBeGreaterThan(20);
		expect(testFiles.flatMap((file) => outside(file, [...PRODUCT, 'test/support/']))).toEqual([]);
	});

	it('scripts/ import the product, test/support/ and scripts/ only', () => {
		const wrong = sources('scripts').flatMap((file) =>
			outside(file, [...PRODUCT, 'test/support/', 'scripts/']),
		);
		expect(wrong).toEqual([]);
	});
});
