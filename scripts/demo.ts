/**
 * `npm start`: runs a sample of pasted links and codes, good and bad, through n8n's execution
 * engine with the node as built in dist/ (its newest version), twice, and prints each output as a
 * table, under the name the editor gives it (the node's own output definition). The second run
 * shows the join ledger: codes joined in the first send nothing, the budget defers the rest.
 * Against the bundled emulator by default; against a real account when RYZEAPI_BASE_URL,
 * RYZEAPI_INSTANCE and RYZEAPI_TOKEN are set (RYZEAPI_LINKS, one per line, replaces the sample).
 */
import '../test/support/env';

import type { IDataObject, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';

import type { OutputKey } from '../nodes/RyzeApi/actions/outputs';
import type { RyzeApiEmulator } from '../test/support/emulator/server';
import { ACCOUNT_TOKEN, MAIN_INSTANCE, startEmulator } from '../test/support/emulator/server';
import { newestVersion, runRyzeApiNode, shutDownEngine } from '../test/support/engine';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RyzeApi } = require('../dist/nodes/RyzeApi/RyzeApi.node') as {
	RyzeApi: new () => INodeType;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { closeDispatchers } = require('../dist/nodes/RyzeApi/transport/pools') as {
	closeDispatchers(): Promise<void>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nodeOutputs } = require('../dist/nodes/RyzeApi/actions/outputs') as Pick<
	typeof import('../nodes/RyzeApi/actions/outputs'),
	'nodeOutputs'
>;

/**
 * A small join budget so that the sample meets it, no pause between joins and no Active Hours so
 * that the demo ends at once at any hour: workflows keep the careful defaults (README, "Joining
 * safely"). The ledger lives in a temporary n8n user folder (test/support/env.ts).
 */
const PARAMETERS: INodeParameters = {
	resource: 'group',
	operation: 'join',
	identifier: '={{ $json.link }}',
	options: {
		maxJoinsPerHour: 5,
		minDelaySeconds: 0,
		maxDelaySeconds: 0,
		activeHoursFrom: '',
		activeHoursTo: '',
	},
};

/** What each output's table shows: the item's fields, then a message. */
const TABLES: Record<OutputKey, { columns: string[]; message: (json: IDataObject) => unknown }> = {
	success: {
		columns: ['row', 'link', 'status', 'inviteCode', 'fromLedger'],
		message: (json) => json.message,
	},
	pendingApproval: {
		columns: ['row', 'link', 'status', 'inviteCode'],
		message: (json) => json.message,
	},
	error: {
		columns: ['row', 'link', 'status', 'reason', 'httpStatus'],
		message: (json) => (json.error as IDataObject).message,
	},
	deferred: {
		columns: ['row', 'link', 'status', 'inviteCode', 'notBefore'],
		message: (json) => (json.error as IDataObject).message,
	},
};

const SAMPLE = [
	'https://chat.whatsapp.com/OpenFriendsOfN8n22ch',
	'chat.whatsapp.com/invite/ApprovalBookClub01',
	'  "HTTPS://CHAT.WHATSAPP.COM/OpenRunners2026?mode=ems_copy_t"  ',
	'Join us: https://chat.whatsapp.com/OpenBakers4Life !',
	'whatsapp://chat?code=OpenCyclingCrew',
	'RevokedOldLink123',
	'ForbiddenPrivate99',
	'UnknownGroupCode42',
	'120363406289005073@g.us',
	'+55 11 99999-9999',
	'https://wa.me/5511999999999',
	'https://chat.whatsapp.com.evil.example/OpenPhish',
	'chat.whatsapp.com/OpenA and chat.whatsapp.com/OpenB',
	'',
];

async function main(): Promise<void> {
	const real =
		process.env.RYZEAPI_BASE_URL && process.env.RYZEAPI_INSTANCE && process.env.RYZEAPI_TOKEN;
	let emulator: RyzeApiEmulator | undefined;
	let credentials: IDataObject;
	if (real) {
		credentials = {
			baseUrl: process.env.RYZEAPI_BASE_URL,
			instanceName: process.env.RYZEAPI_INSTANCE,
			token: process.env.RYZEAPI_TOKEN,
		};
		console.log(
			`Against RyzeAPI at ${process.env.RYZEAPI_BASE_URL}, instance "${process.env.RYZEAPI_INSTANCE}" (token from RYZEAPI_TOKEN).`,
		);
	} else {
		emulator = await startEmulator();
		credentials = { baseUrl: emulator.url, instanceName: MAIN_INSTANCE, token: ACCOUNT_TOKEN };
		console.log(
			`Against the RyzeAPI emulator at ${emulator.url} (set RYZEAPI_BASE_URL, RYZEAPI_INSTANCE, RYZEAPI_TOKEN for a real account).`,
		);
	}
	const links =
		process.env.RYZEAPI_LINKS?.split('\n').filter((line) => line.trim() !== '') ?? SAMPLE;
	const rows = links.map((link, index) => ({ row: index + 1, link }));

	try {
		const nodeType = new RyzeApi();
		for (const run of [
			'First run',
			'Second run, the same rows (the join ledger remembers the first)',
		]) {
			console.log(`\n== ${run}`);
			const before = emulator?.joinRequests().length ?? 0;
			const result = await runRyzeApiNode({
				nodeType,
				typeVersion: newestVersion(nodeType),
				items: rows,
				parameters: PARAMETERS,
				credentials: credentials as never,
			});
			if (result.error || !result.outputs) {
				console.error(`\nThe node failed: ${result.error?.message ?? 'no output'}`);
				if (result.error?.description) console.error(result.error.description);
				process.exitCode = 1;
				return;
			}
			const outputs = result.outputs;
			nodeOutputs(PARAMETERS, newestVersion(nodeType)).forEach((output, index) => {
				const items = outputs[index] ?? [];
				const { columns, message } = TABLES[output.key];
				printTable(`${output.displayName} output (${items.length})`, items, columns, message);
			});
			const out = outputs.reduce((sum, items) => sum + items.length, 0);
			const sent = emulator ? emulator.joinRequests().length - before : undefined;
			const requests = sent === undefined ? '' : `; ${sent} requests reached the API`;
			console.log(`\n${rows.length} items in, ${out} out${requests}.`);
		}
	} finally {
		await emulator?.close();
		await closeDispatchers();
		shutDownEngine();
	}
}

function printTable(
	title: string,
	items: INodeExecutionData[],
	columns: string[],
	detail: (json: IDataObject) => unknown,
): void {
	console.log(`\n${title}`);
	if (items.length === 0) {
		console.log('  (none)');
		return;
	}
	const rows = items.map((item) => {
		const json = item.json;
		const error = (json.error ?? {}) as IDataObject;
		const cells = columns.map((column) => cell(json[column] ?? error[column]));
		return [...cells, cell(detail(json), 130)];
	});
	const header = [...columns, 'message'];
	const widths = header.map((name, index) =>
		Math.max(name.length, ...rows.map((row) => row[index].length)),
	);
	const line = (cells: string[]) =>
		`  ${cells.map((text, index) => text.padEnd(widths[index])).join('  ')}`.trimEnd();
	console.log(line(header));
	console.log(line(widths.map((width) => '-'.repeat(width))));
	for (const row of rows) console.log(line(row));
}

function cell(value: unknown, max = 48): string {
	// Control characters would break the table: show them escaped, everything else as it is.
	const text =
		value === undefined || value === null
			? ''
			: String(value).replace(/\p{Cc}/gu, (c) => JSON.stringify(c).slice(1, -1));
	return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
});
