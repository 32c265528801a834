/**
 * One poll of the RyzeAPI Polling Trigger: one request for the group list, paced with the
 * token's shared budget like every request of the package (runner/), then what changed since the
 * last poll (groupChanges.ts), the join ledger told of groups joined, and one item per change the
 * workflow listens to. Only I/O: the decisions are groupChanges.ts's and the runner's.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { ledgerInstanceOf } from '../ledger/joinAdmission';
import { ledgerOfNode, REDIS_CREDENTIAL } from '../ledger/nodeLedger';
import type { JoinRecord } from '../ledger/records';
import { causeOf } from '../ledger/store';
import type { Task, TaskResult } from '../runner/runOperation';
import { runOperation } from '../runner/runOperation';
import { TaskFeed } from '../runner/taskFeed';
import { clock } from '../shared/clock';
import type { Connection, CredentialFields } from '../shared/connection';
import { resolveConnection } from '../shared/connection';
import type { ListedGroup } from '../shared/groupAnswers';
import { LIST_ANSWER, LIST_GROUPS_REQUEST } from '../shared/groupAnswers';
import type { PollAnswer, PollChange, PollEvent, PollState } from './groupChanges';
import { changesSince, stateToCompare } from './groupChanges';

/** The activations (n8n's poll context of each) that have had an answered poll. */
const answeredActivations = new WeakSet<IPollFunctions>();

/** A poll waits for a few retries at most: the next poll comes anyway. */
const POLL_SETTINGS = {
	concurrency: 1,
	timeoutMs: 30_000,
	retry: { maxTries: 3, baseDelayMs: 1_000, maxDelayMs: 10_000, maxRetryWaitMs: 20_000 },
	minIntervalMs: 0,
};

export async function pollGroups(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const connection = await connectionOf(this);
	const where = ledgerInstanceOf(connection);
	const answer = await listGroups(this, connection);
	if (answer === undefined) return null;
	const events = this.getNodeParameter('events', []) as PollEvent[];
	if (this.getMode() === 'manual') return [[sample(answer, where.instance)]];

	const state = this.getWorkflowStaticData('node') as PollState;
	// n8n keeps one poll context per activation: the first answered poll of one is told so.
	const first = !answeredActivations.has(this);
	answeredActivations.add(this);
	const { changes, next } = changesSince(
		stateToCompare(state, first, this.getActivationMode()),
		answer,
		{ server: where.server, instance: where.instance },
	);
	Object.assign(state, next);
	const joined = changes.flatMap((change) =>
		change.event === 'joined' && change.group ? [change.group.groupJid] : [],
	);
	const records = joined.length > 0 ? await markJoined(this, connection, joined) : new Map();
	const polledAt = new Date(clock().now()).toISOString();
	const items = changes
		.filter((change) => events.length === 0 || events.includes(change.event))
		.map((change) => ({ json: itemOf(change, where.instance, polledAt, records) }));
	return items.length > 0 ? [items] : null;
}

async function connectionOf(context: IPollFunctions): Promise<Connection> {
	const credentials = (await context.getCredentials('ryzeApi')) as CredentialFields;
	const override = context.getNodeParameter('options.instanceName', '');
	const connection = resolveConnection(credentials, override);
	if (!connection.ok) throw new NodeOperationError(context.getNode(), connection.message);
	return connection.value;
}

/**
 * The list, or "not connected"; undefined when the poll failed otherwise (network, 5xx, a 429
 * beyond its retries): nothing starts and the last list is kept. A refused token fails the poll.
 */
async function listGroups(
	context: IPollFunctions,
	connection: Connection,
): Promise<PollAnswer | undefined> {
	const feed = new TaskFeed<Task>();
	feed.push({ connection, identifier: '' });
	feed.close();
	const operation = {
		noun: 'poll',
		request: () => LIST_GROUPS_REQUEST,
		answer: LIST_ANSWER,
		idempotent: true,
	};
	const [result] = (await runOperation(operation, feed, POLL_SETTINGS)) as Array<
		TaskResult<ListedGroup[]>
	>;
	if (result.ok) return { kind: 'list', groups: result.value };
	const { failure } = result;
	// RyzeAPI's "Instance disconnected" (400) and "Instance not connected" (503). Its other 503,
	// "Bridge not configured" (or a gateway's), says nothing of the number: a failed poll.
	if (
		failure.reason === 'instance_unavailable' &&
		/disconnect|not connected/i.test(failure.message)
	)
		return { kind: 'notConnected' };
	if (failure.reason === 'unauthorized') {
		throw new NodeApiError(
			context.getNode(),
			{ message: failure.message, httpStatus: failure.httpStatus },
			{ message: `RyzeAPI refused the credential: ${failure.message}` },
		);
	}
	context.logger.warn(
		`RyzeAPI Polling Trigger: the group list could not be read (${failure.message}); nothing started, the last list is kept.`,
	);
	return undefined;
}

/** The ledger marks these groups' pending joins joined; what it knew of each comes back. */
async function markJoined(
	context: IPollFunctions,
	connection: Connection,
	groupJids: string[],
): Promise<Map<string, JoinRecord>> {
	try {
		const ledger = await ledgerOfNode(
			context.getNodeParameter('joinLedger', 'automatic'),
			async () => await context.getCredentials(REDIS_CREDENTIAL),
		);
		const records = await ledger.markGroupsJoined(
			ledgerInstanceOf(connection),
			groupJids,
			clock().now(),
		);
		return new Map(records.map((record) => [record.groupJid ?? '', record]));
	} catch (error) {
		context.logger.warn(
			`RyzeAPI Polling Trigger could not update the join ledger: ${causeOf(error)}`,
		);
		return new Map();
	}
}

function itemOf(
	change: PollChange,
	instance: string,
	polledAt: string,
	records: Map<string, JoinRecord>,
): IDataObject {
	const group = change.group;
	const record = group ? records.get(group.groupJid) : undefined;
	return {
		event: change.event,
		instance,
		groupJid: group?.groupJid ?? null,
		groupName: group && 'groupName' in group ? group.groupName : null,
		...(group && 'groupName' in group ? { ...group } : {}),
		inviteCode: record?.code ?? (group && 'inviteCode' in group ? group.inviteCode : null),
		requestedAt: record ? new Date(record.requestedAt).toISOString() : null,
		polledAt,
	};
}

/**
 * The editor's test fetch: what a "joined" event looks like, from the first group listed (or an
 * empty one), and nothing recorded: the first poll of the active workflow records the list.
 */
function sample(answer: PollAnswer, instance: string): INodeExecutionData {
	const polledAt = new Date(clock().now()).toISOString();
	if (answer.kind === 'notConnected') {
		return {
			json: { ...itemOf({ event: 'disconnected' }, instance, polledAt, new Map()), sample: true },
		};
	}
	const [group] = answer.groups;
	const change: PollChange = { event: 'joined', ...(group ? { group } : {}) };
	return { json: { ...itemOf(change, instance, polledAt, new Map()), sample: true } };
}
