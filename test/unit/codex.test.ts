/**
 * The node's documentation links: n8n opens one URL per node type (the codex's
 * primaryDocumentation), so it is RyzeAPI's page on every group route; each operation names its
 * own page in its Identifier's description.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeProperties } from 'n8n-workflow';

import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';

const GROUP_DOCS = 'https://docs.ryzeapi.cloud/en/api/groups/';

test("the Docs link opens RyzeAPI's groups overview, which covers join, info and leave", () => {
	const codex = JSON.parse(
		readFileSync(join(__dirname, '..', '..', 'nodes', 'RyzeApi', 'RyzeApi.node.json'), 'utf8'),
	) as { resources: { primaryDocumentation: Array<{ url: string }> } };
	expect(codex.resources.primaryDocumentation).toEqual([{ url: `${GROUP_DOCS}overview` }]);
});

test.each([
	['join', 'join'],
	['preview', 'info'],
	['leave', 'leave'],
])("the %s operation's Identifier links RyzeAPI's own page for it", (operation, page) => {
	const identifier = new RyzeApi().description.properties.find(
		(property: INodeProperties) =>
			property.name === 'identifier' &&
			property.displayOptions?.show?.operation?.includes(operation),
	);
	const links = [...(identifier?.description ?? '').matchAll(/href="([^"]+)"/g)].map(
		([, url]) => url,
	);
	expect(links).toEqual([`${GROUP_DOCS}${page}`]);
});
