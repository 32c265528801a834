/**
 * How the node reads each item's Identifier in n8n's engine: the usual `{{ $json.field }}` is read
 * straight off the item when it is the item's own string (what n8n would return unchanged), and
 * asked of n8n otherwise. Checked against n8n's own evaluation of the same field through an
 * expression the node does not recognise: both must send the same requests and give the same items.
 */
import type { IDataObject } from 'n8n-workflow';

import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import { ACCOUNT_TOKEN, MAIN_INSTANCE } from '../support/emulator/server';
import { runRyzeApiNode, shutDownEngine } from '../support/engine';
import { useEmulator } from '../support/useEmulator';

const emulator = useEmulator();
afterAll(shutDownEngine);

/** Own strings of every shape, and values that are not strings, missing, or inherited. */
const ROWS: IDataObject[] = [
	{ link: 'https://chat.whatsapp.com/OpenAlpha' },
	{ link: '  chat.whatsapp.com/OpenBeta?lang=en  ' },
	{ link: '={{ "OpenGamma" }}' },
	{ link: '' },
	{ link: 'Ünïcødé' },
	{ link: 12345 },
	{ link: null },
	{ link: ['OpenDelta'] },
	{ link: { code: 'OpenEps' } },
	{ other: 'OpenZeta' },
	{ link: true },
];

async function run(identifier: string) {
	emulator.reset();
	const result = await runRyzeApiNode({
		nodeType: new RyzeApi(),
		items: ROWS.map((json) => ({ json })),
		parameters: { resource: 'group', operation: 'join', identifier, options: {} },
		credentials: { baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: ACCOUNT_TOKEN },
	});
	const sent = emulator.joinRequests().map((request) => request.identifier);
	return { outputs: result.outputs, sent: sent.sort() };
}

test.each(['={{ $json.link }}', '={{ $json["link"] }}', "={{ $json['link'] }}"])(
	'%s gives what n8n evaluating the same field gives, item by item',
	async (identifier) => {
		const direct = await run(identifier);
		// ($json).link is the same field, but not the form the node reads itself: n8n evaluates it.
		const viaN8n = await run('={{ ($json).link }}');
		expect(direct.sent).toEqual(viaN8n.sent);
		expect(direct.outputs).toEqual(viaN8n.outputs);
		expect(direct.sent.length).toBeGreaterThan(0);
	},
);
