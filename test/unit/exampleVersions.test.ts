/**
 * The examples ship every node of this package on its current default version: an imported
 * example then behaves as a node added in the editor today (version 1 kept Pending Approval
 * Output inside Options, and switching it moved the wire that came off Failed onto Pending).
 */
import { readdirSync } from 'node:fs';

import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import { RyzeApiPollingTrigger } from '../../nodes/RyzeApi/RyzeApiPollingTrigger.node';
import { RyzeApiTrigger } from '../../nodes/RyzeApi/RyzeApiTrigger.node';
import { EXAMPLES_DIR, readExample } from '../support/n8n/examples';

const PACKAGE = 'n8n-nodes-ryzeapi';

function defaultVersion(description: INodeTypeDescription): number {
	if (description.defaultVersion !== undefined) return description.defaultVersion;
	const versions = description.version;
	return Array.isArray(versions) ? Math.max(...versions) : versions;
}

/** Type → the version a node added now gets; the tool variant n8n makes of the node shares its version. */
const current = new Map<string, number>();
for (const nodeType of [
	new RyzeApi(),
	new RyzeApiTrigger(),
	new RyzeApiPollingTrigger(),
] as INodeType[]) {
	const { name } = nodeType.description;
	current.set(`${PACKAGE}.${name}`, defaultVersion(nodeType.description));
	if (nodeType.description.usableAsTool)
		current.set(`${PACKAGE}.${name}Tool`, defaultVersion(nodeType.description));
}

const files = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json'));

test('the action node, its tool variant and both triggers are all known here', () => {
	expect([...current.keys()].sort()).toEqual([
		`${PACKAGE}.ryzeApi`,
		`${PACKAGE}.ryzeApiPollingTrigger`,
		`${PACKAGE}.ryzeApiTool`,
		`${PACKAGE}.ryzeApiTrigger`,
	]);
	expect(current.get(`${PACKAGE}.ryzeApi`)).toBe(1.2);
	expect(current.get(`${PACKAGE}.ryzeApiTrigger`)).toBe(1.1);
});

describe.each(files)('%s', (file) => {
	test("every node of this package is on its type's default version", () => {
		const ours = readExample(file).nodes.filter((node) => node.type.startsWith(`${PACKAGE}.`));
		const off = ours
			.map((node) => node as typeof node & { typeVersion?: number })
			.filter((node) => node.typeVersion !== current.get(node.type))
			.map((node) => `${node.name} (${node.type} v${String(node.typeVersion)})`);
		expect(off).toEqual([]);
	});
});

test('every example uses this package', () => {
	const without = files.filter(
		(file) => !readExample(file).nodes.some((node) => node.type.startsWith(`${PACKAGE}.`)),
	);
	expect(without).toEqual([]);
});
