/**
 * n8n's Error output in a real n8n (issue 17, item 2): a workflow built here, not an example, with
 * three RyzeAPI Join nodes set to On Error = "Continue (using error output)", each fed its own
 * rows and wired, output by output, to a No Operation node that only records what it receives:
 *
 * - "Refused": three invite links, a credential whose token the emulator refuses (401);
 * - "Offline": three invite links, a good token, the credential's instance `offline` (the node
 *   gives up on it after 3 answers in a row saying it is not connected);
 * - "Revoked": one revoked link, the examples' good credential.
 *
 * One `n8n execute` runs all three (n8n boots once); each chain sends its own codes, so the
 * emulator's log tells their requests apart. Shared by the end-to-end suite and the version matrix.
 */
import type { LoggedRequest, RyzeApiEmulator } from '../emulator/server';
import type { Workflow } from './examples';
import { ryzeApiCredential } from './examples';
import type { ExecutedRun } from './realN8n';
import { NODE_TYPE } from './realN8n';

export const ERROR_OUTPUT_WORKFLOW_ID = 'ryzeApiErrorOutputCheck';

/** The good credential, as the examples name it (exampleCredentials imports it). */
const GOOD_CREDENTIAL = { id: 'ryzeApiEmulator', name: 'RyzeAPI (emulator)' };
const REFUSED_CREDENTIAL = { id: 'ryzeApiRefusedToken', name: 'RyzeAPI (a token refused)' };
const OFFLINE_CREDENTIAL = { id: 'ryzeApiOfflineInstance', name: 'RyzeAPI (instance offline)' };

/** A token the emulator does not know. */
const REFUSED_TOKEN = 'a-token-the-emulator-refuses';

export interface ErrorOutputChain {
	/** Prefix of the chain's node names. */
	name: 'Refused' | 'Offline' | 'Revoked';
	rows: Array<{ row: number; link: string }>;
	credential: { id: string; name: string };
}

const INVITE_PREFIX = 'https://chat.whatsapp.com/';
const link = (code: string) => `${INVITE_PREFIX}${code}`;
/** The invite code the node reads from a row's link, and sends. */
const codeOf = (inviteLink: string) => inviteLink.slice(INVITE_PREFIX.length);

export const ERROR_OUTPUT_CHAINS: Record<ErrorOutputChain['name'], ErrorOutputChain> = {
	Refused: {
		name: 'Refused',
		rows: [1, 2, 3].map((row) => ({ row, link: link(`OpenRefused${row}`) })),
		credential: REFUSED_CREDENTIAL,
	},
	Offline: {
		name: 'Offline',
		rows: [1, 2, 3].map((row) => ({ row, link: link(`OpenOffline${row}`) })),
		credential: OFFLINE_CREDENTIAL,
	},
	Revoked: {
		name: 'Revoked',
		rows: [{ row: 1, link: link('RevokedErrorOutput1') }],
		credential: GOOD_CREDENTIAL,
	},
};

/** The Join node's outputs with On Error = continueErrorOutput: ours (Success, Failed), then n8n's Error. */
export const SINKS = ['Success', 'Failed', 'Error'] as const;
export type Sink = (typeof SINKS)[number];

/** The credentials the workflow names besides the examples' good one. */
export function errorOutputCredentials(emulatorUrl: string): object[] {
	return [
		ryzeApiCredential(REFUSED_CREDENTIAL, emulatorUrl, { token: REFUSED_TOKEN }),
		ryzeApiCredential(OFFLINE_CREDENTIAL, emulatorUrl, { instanceName: 'offline' }),
	];
}

/** Manual Trigger, then per chain: rows (Set, raw JSON) → Split Out → Join → a No Operation per output. */
export function errorOutputWorkflow(): Workflow {
	const nodes: Array<Workflow['nodes'][number] & { id: string }> = [];
	const connections: Record<string, { main: Array<Array<object>> }> = {};
	const to = (node: string) => ({ node, type: 'main', index: 0 });
	const add = (
		node: Workflow['nodes'][number] & {
			typeVersion: number;
			position: [number, number];
			onError?: string;
		},
	) =>
		nodes.push({
			id: `e0e0e0e0-0000-4000-8000-${String(nodes.length).padStart(12, '0')}`,
			...node,
		});

	add({
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	});
	connections.Start = { main: [[]] };
	Object.values(ERROR_OUTPUT_CHAINS).forEach((chain, index) => {
		const y = index * 400;
		const rows = `${chain.name}: rows`;
		const split = `${chain.name}: one item per row`;
		const join = joinNodeName(chain.name);
		add({
			name: rows,
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, y],
			parameters: { mode: 'raw', jsonOutput: JSON.stringify({ rows: chain.rows }), options: {} },
		});
		add({
			name: split,
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [440, y],
			parameters: { fieldToSplitOut: 'rows', include: 'noOtherFields', options: {} },
		});
		add({
			name: join,
			type: NODE_TYPE,
			typeVersion: 1.1,
			position: [660, y],
			onError: 'continueErrorOutput',
			parameters: {
				resource: 'group',
				operation: 'join',
				identifier: '={{ $json.link }}',
				options: {},
			},
			credentials: { ryzeApi: chain.credential },
		});
		SINKS.forEach((sink, output) =>
			add({
				name: sinkNodeName(chain.name, sink),
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [900, y + output * 120],
				parameters: {},
			}),
		);
		connections.Start.main[0].push(to(rows));
		connections[rows] = { main: [[to(split)]] };
		connections[split] = { main: [[to(join)]] };
		connections[join] = { main: SINKS.map((sink) => [to(sinkNodeName(chain.name, sink))]) };
	});
	return {
		id: ERROR_OUTPUT_WORKFLOW_ID,
		name: "RyzeAPI test: what would stop the node leaves on n8n's Error output",
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}

export function joinNodeName(chain: ErrorOutputChain['name']): string {
	return `${chain}: Join`;
}

export function sinkNodeName(chain: ErrorOutputChain['name'], sink: Sink): string {
	return `${chain}: ${sink}`;
}

/** The items a node received, over all its runs (a node that never ran received none). */
export function itemsReceived(run: ExecutedRun, node: string): Array<Record<string, unknown>> {
	return (run.data.resultData.runData[node] ?? []).flatMap((nodeRun) =>
		(nodeRun.data?.main?.[0] ?? []).map((item) => item.json),
	);
}

/** The join requests a chain sent: its codes are its own. */
export function chainRequests(
	emulator: RyzeApiEmulator,
	chain: ErrorOutputChain['name'],
): LoggedRequest[] {
	const codes = ERROR_OUTPUT_CHAINS[chain].rows.map((row) => codeOf(row.link));
	return emulator.joinRequests().filter((request) => codes.includes(String(request.identifier)));
}

/**
 * The run of errorOutputWorkflow: it succeeded; the refused token and the offline instance put
 * every row on n8n's Error output (with its fields, the reason and a message) and none on Failed
 * or Success; the revoked link stays on Failed, n8n's Error empty.
 */
export function expectErrorOutputRouting(run: ExecutedRun, emulator: RyzeApiEmulator): void {
	expect(run.data.resultData.error).toBeUndefined();
	expect(run.status).toBe('success');
	const received = (chain: ErrorOutputChain['name']) =>
		Object.fromEntries(SINKS.map((sink) => [sink, itemsReceived(run, sinkNodeName(chain, sink))]));
	/** Every row of the chain on n8n's Error output alone: its fields, the error, a message. */
	const expectAllOnN8nError = (chain: ErrorOutputChain['name'], error: object) => {
		const outputs = received(chain);
		expect([outputs.Success, outputs.Failed]).toEqual([[], []]);
		expect(outputs.Error).toEqual(
			ERROR_OUTPUT_CHAINS[chain].rows.map((row) => ({
				...row,
				error: expect.objectContaining({ ...error, inviteCode: codeOf(row.link) }),
				message: expect.stringMatching(/./),
			})),
		);
	};

	// A refused token: one request, then the node sends no more.
	expect(chainRequests(emulator, 'Refused')).toHaveLength(1);
	expectAllOnN8nError('Refused', {
		reason: 'unauthorized',
		httpStatus: 401,
		hint: expect.any(String),
	});

	// An instance not connected: 3 answers in a row saying so, and the node gives up on it.
	expect(chainRequests(emulator, 'Offline').length).toBeLessThanOrEqual(3);
	expect(chainRequests(emulator, 'Offline').length).toBeGreaterThan(0);
	expectAllOnN8nError('Offline', { reason: 'instance_unavailable', hint: expect.any(String) });

	// The item's own outcome, with a good token: our Failed output, n8n's Error empty.
	expect(chainRequests(emulator, 'Revoked')).toHaveLength(1);
	const revoked = received('Revoked');
	expect([revoked.Success, revoked.Error]).toEqual([[], []]);
	expect(revoked.Failed).toEqual([
		expect.objectContaining({
			...ERROR_OUTPUT_CHAINS.Revoked.rows[0],
			status: 'failed',
			error: expect.objectContaining({ reason: 'revoked_or_expired' }),
		}),
	]);
}
