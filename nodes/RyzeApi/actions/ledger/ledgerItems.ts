/**
 * What the ledger's operations share: the instance of each item (the credential's, or the
 * Instance Name option), the ledger the node's Join Ledger parameter names, and the item a failure
 * becomes. The ledger holds no token: an instance is its server and name.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ledgerInstanceOf } from '../../ledger/joinAdmission';
import type { JoinLedger } from '../../ledger/joinLedger';
import { ledgerOfNode, REDIS_CREDENTIAL } from '../../ledger/nodeLedger';
import type { LedgerInstance } from '../../ledger/records';
import { causeOf } from '../../ledger/store';
import type { CredentialFields } from '../../shared/connection';
import { instanceNameProperty, resolveConnection } from '../../shared/connection';
import type { ErrorReason } from '../../shared/interfaces';
import { ledgerUnavailableError } from '../setupChecks';

/** The Instance Name option of the ledger's operations, as Group's operations have it. */
export const instanceNameOption: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [instanceNameProperty('read')],
};

/**
 * Runs `each` for every input item with its instance and the ledger; an item whose step fails
 * leaves on Failed (when the node continues on fail) or fails the node, saying why.
 */
export async function forEachInstance(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	each: (ledger: JoinLedger, instance: LedgerInstance, itemIndex: number) => Promise<IDataObject[]>,
): Promise<INodeExecutionData[][]> {
	const credentials = (await context.getCredentials('ryzeApi')) as CredentialFields;
	const success: INodeExecutionData[] = [];
	const failed: INodeExecutionData[] = [];
	let ledger: JoinLedger | undefined;
	const fail = (itemIndex: number, reason: ErrorReason, message: string) =>
		failed.push({
			json: { status: 'failed', error: { reason, message } },
			pairedItem: { item: itemIndex },
		});
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		// As in Group's operations: an Instance Name that cannot be read is the item's, a wrong one
		// the credential's.
		let override: unknown;
		try {
			override = context.getNodeParameter('options.instanceName', itemIndex, '');
		} catch (error) {
			if (!context.continueOnFail())
				throw new NodeOperationError(context.getNode(), causeOf(error), { itemIndex });
			fail(
				itemIndex,
				'invalid_identifier',
				`Could not read this item's parameters: ${causeOf(error)}`,
			);
			continue;
		}
		const connection = resolveConnection(credentials, override);
		if (!connection.ok) {
			if (!context.continueOnFail())
				throw new NodeOperationError(context.getNode(), connection.message, { itemIndex });
			fail(itemIndex, 'unauthorized', connection.message);
			continue;
		}
		try {
			ledger ??= await ledgerOfNode(
				context.getNodeParameter('joinLedger', 0, 'automatic'),
				async () => await context.getCredentials(REDIS_CREDENTIAL),
			);
			const instance = ledgerInstanceOf(connection.value);
			for (const json of await each(ledger, instance, itemIndex))
				success.push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (!context.continueOnFail()) {
				throw ledgerUnavailableError(context.getNode(), error, itemIndex);
			}
			fail(itemIndex, 'ledger_unavailable', causeOf(error));
		}
	}
	return [success, failed];
}

/** A time the ledger keeps (ms), as the items show it. */
export function isoTime(ms: number | null | undefined): string | null {
	return typeof ms === 'number' ? new Date(ms).toISOString() : null;
}
