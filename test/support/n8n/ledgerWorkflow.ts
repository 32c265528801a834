/**
 * Join Group 1.2 and its join ledger in a real n8n (the end-to-end and queue-mode suites): a
 * published workflow Webhook → Split Out → Join Group 1.2 → its three outputs (Success, Failed,
 * Deferred) merged → the webhook answered with every item; posting a batch of codes to it; and
 * the tally of what came back (every posted code exactly once, by status).
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

import { request } from 'undici';

import { NODE_TYPE } from './realN8n';

/**
 * The journal of the join ledger an n8n running as one process keeps under its user folder
 * (`~/.n8n/storage/n8n-nodes-ryzeapi/`): the suites read it, and delete it to start again with a
 * fresh number, as the emulator's reset does for its groups.
 */
export function joinLedgerJournal(userFolder: string): string {
	return join(userFolder, '.n8n', 'storage', 'n8n-nodes-ryzeapi', 'join-ledger.jsonl');
}

/** Forgets every join n8n's `n8n execute` runs made: only while no started n8n holds the ledger. */
export function forgetJoins(userFolder: string): void {
	rmSync(joinLedgerJournal(userFolder), { force: true });
}

/** The budget the suites set: 10 joins an hour, no daily cap, any hour, no pause between joins. */
export const LEDGER_BUDGET = {
	maxJoinsPerHour: 10,
	maxJoinsPerDay: 0,
	activeHoursFrom: '',
	activeHoursTo: '',
	minDelaySeconds: 0,
	maxDelaySeconds: 0,
};

export interface LedgerWorkflow {
	id: string;
	path: string;
	/** The RyzeAPI credential the node uses (imported by the suite). */
	credential: { id: string; name: string };
	/** The node's Options beyond the Identifier: the budget, delays, Requests in Flight. */
	options: Record<string, unknown>;
}

/**
 * The workflow as a user would build it: each posted join `{code, instance?}` is one item; the
 * node reads the code and (when the item names one) the instance from it, so one workflow joins
 * for several numbers of the same token.
 */
export function ledgerJoinWorkflow(workflow: LedgerWorkflow): object {
	// Node ids (and the webhook's) of the same form as n8n's, different per workflow.
	const hex = createHash('sha256').update(workflow.id).digest('hex');
	const id = (n: number) =>
		`${hex.slice(0, 8)}-${hex.slice(8, 12)}-4000-8000-${String(n).padStart(12, '0')}`;
	return {
		id: workflow.id,
		name: `RyzeAPI join ledger (${workflow.id})`,
		nodes: [
			{
				id: id(1),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: id(9),
				parameters: {
					httpMethod: 'POST',
					path: workflow.path,
					responseMode: 'lastNode',
					responseData: 'allEntries',
					options: {},
				},
			},
			{
				id: id(2),
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.joins', options: {} },
			},
			{
				id: id(3),
				name: 'Join Group',
				type: NODE_TYPE,
				typeVersion: 1.2,
				position: [440, 0],
				parameters: {
					resource: 'group',
					operation: 'join',
					identifier: '={{ $json.code }}',
					options: { instanceName: '={{ $json.instance }}', ...workflow.options },
				},
				credentials: { ryzeApi: workflow.credential },
			},
			{
				id: id(4),
				name: 'Merge',
				type: 'n8n-nodes-base.merge',
				typeVersion: 3.2,
				position: [660, 0],
				parameters: { numberInputs: 3 },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Join Group', type: 'main', index: 0 }]] },
			'Join Group': {
				main: [0, 1, 2].map((index) => [{ node: 'Merge', type: 'main', index }]),
			},
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}

export interface PostedJoin {
	code: string;
	/** The instance to join with; the credential's when absent. */
	instance?: string;
}

/** An item as the workflow answers it: the posted fields and the node's. */
export interface AnsweredJoin extends PostedJoin {
	status?: string;
	fromLedger?: boolean;
	notBefore?: string;
	error?: { reason?: string; message?: string };
}

/** Posts joins to the workflow's webhook and waits (at most `timeoutMs`) for every item back. */
export async function postJoins(
	baseUrl: string,
	path: string,
	joins: PostedJoin[],
	timeoutMs = 120_000,
): Promise<{ status: number; items: AnsweredJoin[]; text: string }> {
	const response = await request(`${baseUrl}/webhook/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ joins }),
		headersTimeout: timeoutMs,
		bodyTimeout: timeoutMs,
	});
	const text = await response.body.text();
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		parsed = undefined; // Not JSON: the caller sees the status and the text.
	}
	const items = Array.isArray(parsed)
		? (parsed as AnsweredJoin[])
		: parsed && typeof parsed === 'object'
			? [parsed as AnsweredJoin]
			: [];
	return { status: response.statusCode, items, text };
}

export interface JoinTally {
	posted: number;
	itemsOut: number;
	/** Posted codes that came back in no item. */
	lost: string[];
	/** Items beyond the first for one posted code. */
	doubled: number;
	/** Items by status (`joined`, `pending_approval`, `deferred`, `failed`, …). */
	byStatus: Record<string, number>;
}

/** What came back for what was posted: each posted code once, none lost, none twice. */
export function tallyJoins(
	posted: readonly PostedJoin[],
	items: readonly AnsweredJoin[],
): JoinTally {
	const key = (join: PostedJoin) => `${join.instance ?? ''}/${join.code}`;
	const seen = new Map<string, number>();
	const byStatus: Record<string, number> = {};
	for (const item of items) {
		seen.set(key(item), (seen.get(key(item)) ?? 0) + 1);
		const status = String(item.status);
		byStatus[status] = (byStatus[status] ?? 0) + 1;
	}
	return {
		posted: posted.length,
		itemsOut: items.length,
		lost: posted.filter((join) => !seen.has(key(join))).map((join) => join.code),
		doubled: [...seen.values()].reduce((sum, count) => sum + count - 1, 0),
		byStatus,
	};
}

/** `count` distinct codes of open groups (the emulator joins any code starting with Open). */
export function openCodes(prefix: string, count: number): string[] {
	return Array.from({ length: count }, (_, n) => `Open${prefix}${String(n).padStart(3, '0')}`);
}

/** One scenario of a ledger suite, as it prints it and the queue runner reads it back. */
export interface LedgerFigures {
	scenario: string;
	posted: number;
	itemsOut: number;
	lost: number;
	doubled: number;
	requests: number;
	budget: number;
	byStatus: Record<string, number>;
	seconds: number;
	note?: string;
}
