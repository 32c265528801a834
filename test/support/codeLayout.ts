/**
 * The product's import graph, read from the sources' relative imports, and the figures CONTRIBUTING
 * promises about it: the floors imports may go down (never up), nodes that never reach into each
 * other's folder, no cycles, file and export sizes. `test/unit/codeLayout.test.ts` asserts them;
 * `npm run layout` prints them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

/**
 * The floors, lowest first: a file may import its own floor and those below. Folders on one floor
 * that belong to one node (`nodeFolders`) never import each other.
 */
export const FLOORS: ReadonlyArray<{ name: string; folders: string[] }> = [
	{ name: 'credential', folders: ['credentials/'] },
	{ name: 'shared', folders: ['nodes/RyzeApi/shared/'] },
	{ name: 'transport', folders: ['nodes/RyzeApi/transport/'] },
	{ name: 'runner', folders: ['nodes/RyzeApi/runner/', 'nodes/RyzeApi/methods/'] },
	{ name: 'ledger', folders: ['nodes/RyzeApi/ledger/'] },
	{
		name: 'one node each',
		folders: ['nodes/RyzeApi/actions/', 'nodes/RyzeApi/trigger/', 'nodes/RyzeApi/polling/'],
	},
	{ name: 'node classes', folders: ['nodes/RyzeApi/'] },
];

/** Folders that belong to one node: no file of one imports from another. */
export const NODE_FOLDERS = FLOORS[5].folders;

export function productFiles(): string[] {
	return ['credentials', 'nodes']
		.flatMap((folder) =>
			readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' }).map((file) =>
				join(folder, file).replace(/\\/g, '/'),
			),
		)
		.filter((file) => file.endsWith('.ts'))
		.sort();
}

export interface ImportEdge {
	from: string;
	to: string;
	/** The names imported (`*` for a namespace import or `export *`). */
	names: string[];
}

/** Every relative import and re-export of a file, resolved to a file of the repository. */
export function importsOf(file: string): ImportEdge[] {
	const text = readFileSync(join(ROOT, file), 'utf8');
	const edges: ImportEdge[] = [];
	const pattern =
		/(?:import|export)\s+(type\s+)?(\*(?:\s+as\s+\w+)?|\{[^}]*\}|\w+)?\s*(?:,\s*(\{[^}]*\}))?\s*from\s*'(\.{1,2}\/[^']*)'/g;
	for (const match of text.matchAll(pattern)) {
		const [, , clause = '', extra = '', specifier] = match;
		const names = [clause, extra]
			.flatMap((part) => (part.startsWith('*') ? ['*'] : namesIn(part)))
			.filter(Boolean);
		edges.push({ from: file, to: resolveModule(file, specifier), names });
	}
	return edges;
}

function namesIn(clause: string): string[] {
	if (!clause.startsWith('{')) return clause === '' ? [] : ['default'];
	return clause
		.slice(1, -1)
		.split(',')
		.map((part) => part.trim().replace(/^type\s+/, ''))
		.filter((part) => part !== '')
		.map((part) => part.split(/\s+as\s+/)[0]);
}

function resolveModule(file: string, specifier: string): string {
	const base = relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\\/g, '/');
	const candidates = [base, `${base}.ts`, `${base}/index.ts`];
	const files = new Set(productFiles());
	return candidates.find((candidate) => files.has(candidate)) ?? base;
}

export function floorOf(file: string): number {
	let found = -1;
	let longest = -1;
	FLOORS.forEach((floor, index) => {
		for (const folder of floor.folders) {
			if (file.startsWith(folder) && folder.length > longest) {
				found = index;
				longest = folder.length;
			}
		}
	});
	return found;
}

function nodeFolderOf(file: string): string | undefined {
	return NODE_FOLDERS.find((folder) => file.startsWith(folder));
}

export interface LayoutFigures {
	files: number;
	/** Imports from one node's folder into another's, and the credential importing a node folder. */
	crossNodeImports: string[];
	/** Imports from a lower floor to a higher one. */
	upwardImports: string[];
	/** Groups of files that import each other, directly or not. */
	cycles: string[][];
	longestFile: { file: string; lines: number };
	/** Exported values (functions, constants, classes) no other product file imports. */
	exportsWithoutProductImporter: string[];
}

export function layoutFigures(): LayoutFigures {
	const files = productFiles();
	const edges = files.flatMap(importsOf);
	const crossNodeImports = edges
		.filter((edge) => {
			if (edge.from.startsWith('credentials/')) return edge.to.startsWith('nodes/');
			const from = nodeFolderOf(edge.from);
			const to = nodeFolderOf(edge.to);
			return from !== undefined && to !== undefined && from !== to;
		})
		.map(describe);
	const upwardImports = edges.filter((edge) => floorOf(edge.to) > floorOf(edge.from)).map(describe);
	const lines = files.map((file) => ({
		file,
		lines: readFileSync(join(ROOT, file), 'utf8').split('\n').length,
	}));
	const longestFile = lines.reduce((longest, entry) =>
		entry.lines > longest.lines ? entry : longest,
	);
	return {
		files: files.length,
		crossNodeImports,
		upwardImports,
		cycles: cyclesIn(files, edges),
		longestFile,
		exportsWithoutProductImporter: unimportedExports(files, edges),
	};
}

function describe(edge: ImportEdge): string {
	return `${edge.from} imports ${edge.to}`;
}

/** Strongly connected groups of more than one file (Tarjan's algorithm), or a file importing itself. */
function cyclesIn(files: string[], edges: ImportEdge[]): string[][] {
	const next = new Map(files.map((file) => [file, [] as string[]]));
	for (const edge of edges) next.get(edge.from)?.push(edge.to);
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const onStack = new Set<string>();
	const groups: string[][] = [];
	let counter = 0;
	const visit = (file: string): void => {
		index.set(file, counter);
		low.set(file, counter++);
		stack.push(file);
		onStack.add(file);
		for (const target of next.get(file) ?? []) {
			if (!index.has(target)) {
				visit(target);
				low.set(file, Math.min(low.get(file)!, low.get(target)!));
			} else if (onStack.has(target)) {
				low.set(file, Math.min(low.get(file)!, index.get(target)!));
			}
		}
		if (low.get(file) !== index.get(file)) return;
		const group: string[] = [];
		let member: string;
		do {
			member = stack.pop()!;
			onStack.delete(member);
			group.push(member);
		} while (member !== file);
		if (group.length > 1 || (next.get(file) ?? []).includes(file)) groups.push(group.sort());
	};
	for (const file of files) if (!index.has(file)) visit(file);
	return groups;
}

/** `export function|const|let|class|enum NAME`: values, not types. */
const EXPORTED_VALUE =
	/^export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|enum)\s+(\w+)/gm;

/**
 * The exported values no other product file imports. The node and credential classes are n8n's
 * entry points (package.json names their files), not seams.
 */
function unimportedExports(files: string[], edges: ImportEdge[]): string[] {
	const imported = new Set<string>();
	for (const edge of edges) {
		for (const name of edge.names) imported.add(`${edge.to}#${name}`);
	}
	const unused: string[] = [];
	for (const file of files) {
		if (/\.(node|credentials)\.ts$/.test(file)) continue;
		const text = readFileSync(join(ROOT, file), 'utf8');
		for (const [, name] of text.matchAll(EXPORTED_VALUE)) {
			if (!imported.has(`${file}#${name}`) && !imported.has(`${file}#*`)) {
				unused.push(`${file}#${name}`);
			}
		}
	}
	return unused;
}
