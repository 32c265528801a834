import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { Connection, CredentialFields, Endpoint } from '../shared/connection';
import { instanceKey, withInstance } from '../shared/connection';
import type { Checked, Failure, Outcome } from '../shared/interfaces';
import { failure } from '../shared/interfaces';
import { runsAsAiTool } from './outputs';
import type { ItemPlan } from './routeItems';
import type { Task } from '../runner/runOperation';
import type { TaskFeed } from '../runner/taskFeed';

/** Items read between two yields to the event loop, which lets answers in meanwhile be handled. */
const READS_BETWEEN_YIELDS = 32;

export interface ReadItemsResult {
	plans: Array<Outcome<ItemPlan>>;
	/** The credential cannot be used at all (and the node does not continue on fail): nothing more is read. */
	unusableCredential?: { failure: Failure; itemIndex: number };
}

/**
 * Reads each item's Identifier (and Instance Name), checks them and hands one task per distinct
 * request to the feed while the first requests are already on their way: refusals cost no
 * request, and duplicates (same identifier, instance and token) share one task.
 */
export async function readItems(
	this: IExecuteFunctions,
	itemCount: number,
	credentials: CredentialFields,
	endpoint: Checked<Endpoint>,
	parseIdentifier: (value: unknown) => Checked<string>,
	feed: TaskFeed<Task>,
): Promise<ReadItemsResult> {
	const continueOnFail = this.continueOnFail();
	const cancelSignal = this.getExecutionCancelSignal();
	// Each expression costs n8n a data proxy per item: read the instance per item only when it is one.
	const rawInstance = (this.getNode().parameters.options as IDataObject | undefined)?.instanceName;
	const instancePerItem = typeof rawInstance === 'string' && rawInstance.startsWith('=');
	const fixedInstance = instancePerItem
		? undefined
		: this.getNodeParameter('options.instanceName', 0, '');
	const plans: Array<Outcome<ItemPlan>> = [];
	const taskByKey = new Map<string, number>();
	const connectionFor = sameInstanceSameConnection(credentials, endpoint);
	const identifierOf = identifierReader.call(this);
	for (let itemIndex = 0; itemIndex < itemCount && !cancelSignal?.aborted; itemIndex++) {
		// Let the answers already in be handled between reads.
		if (itemIndex % READS_BETWEEN_YIELDS === READS_BETWEEN_YIELDS - 1) {
			await new Promise((resolve) => setImmediate(resolve));
		}
		const plan = readItem.call(
			this,
			itemIndex,
			identifierOf,
			connectionFor,
			parseIdentifier,
			fixedInstance,
			feed,
			taskByKey,
		);
		plans.push(plan);
		if (!plan.ok && plan.failure.reason === 'unauthorized' && !continueOnFail) {
			return { plans, unusableCredential: { failure: plan.failure, itemIndex } };
		}
	}
	return { plans };
}

/**
 * The item's connection from its instance override: the same object for the same override as the
 * item before (every item, unless the instance is an expression), so that what the runner keys by
 * connection (shared/connection.ts's keys) is worked out once, not per item.
 */
function sameInstanceSameConnection(
	credentials: CredentialFields,
	endpoint: Checked<Endpoint>,
): (instanceOverride: unknown) => Checked<Connection> {
	let last: { instanceOverride: unknown; connection: Checked<Connection> } | undefined;
	return (instanceOverride) => {
		if (last && Object.is(last.instanceOverride, instanceOverride)) return last.connection;
		const connection = endpoint.ok
			? withInstance(endpoint.value, credentials, instanceOverride)
			: endpoint;
		last = { instanceOverride, connection };
		return connection;
	};
}

/** `={{ $json.field }}`, `={{ $json["field"] }}` or `={{ $json['field'] }}`, and nothing more. */
const ITEM_FIELD_EXPRESSION =
	/^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"\\]*)\2\s*\])\s*\}\}$/;

/**
 * How each item's Identifier is read. n8n evaluates an expression per item with a new data proxy
 * and a new $now: a third of the node's time on a sheet of links. The usual Identifier,
 * `{{ $json.field }}`, names one field of the item; when that field is the item's own string, n8n
 * returns it unchanged, so it is read directly. Anything else asks n8n, and so does the node as an
 * AI agent's tool (there $json is the agent's item, not the tool's input).
 */
function identifierReader(this: IExecuteFunctions): (itemIndex: number) => unknown {
	// Get Many Groups has no Identifier: its items read as empty.
	const viaN8n = (itemIndex: number) => this.getNodeParameter('identifier', itemIndex, '');
	const { parameters, type } = this.getNode();
	const match =
		typeof parameters.identifier === 'string' && !runsAsAiTool(type)
			? ITEM_FIELD_EXPRESSION.exec(parameters.identifier)
			: null;
	if (!match) return viaN8n;
	const field = match[1] ?? match[3];
	const items = this.getInputData();
	return (itemIndex) => {
		const json: unknown = items[itemIndex]?.json;
		const value =
			typeof json === 'object' && json !== null && Object.prototype.hasOwnProperty.call(json, field)
				? (json as IDataObject)[field]
				: undefined;
		return typeof value === 'string' ? value : viaN8n(itemIndex);
	};
}

function readItem(
	this: IExecuteFunctions,
	itemIndex: number,
	identifierOf: (itemIndex: number) => unknown,
	connectionFor: (instanceOverride: unknown) => Checked<Connection>,
	parseIdentifier: (value: unknown) => Checked<string>,
	fixedInstance: unknown,
	feed: TaskFeed<Task>,
	taskByKey: Map<string, number>,
): Outcome<ItemPlan> {
	let rawIdentifier: unknown;
	let instanceOverride: unknown = fixedInstance;
	try {
		rawIdentifier = identifierOf(itemIndex);
		if (fixedInstance === undefined) {
			instanceOverride = this.getNodeParameter('options.instanceName', itemIndex, '');
		}
	} catch (error) {
		const why = error instanceof Error ? error.message : String(error);
		return failure('invalid_identifier', `Could not read this item's parameters: ${why}`, null);
	}
	const connection = connectionFor(instanceOverride);
	if (!connection.ok) return failure('unauthorized', connection.message, null);
	const identifier = parseIdentifier(rawIdentifier);
	if (!identifier.ok) return failure('invalid_identifier', identifier.message, null);

	const key = `${instanceKey(connection.value)}/${identifier.value}`;
	let taskIndex = taskByKey.get(key);
	if (taskIndex === undefined) {
		taskIndex = feed.push({ connection: connection.value, identifier: identifier.value });
		taskByKey.set(key, taskIndex);
	}
	return { ok: true, value: { taskIndex, identifier: identifier.value } };
}
