/**
 * The Join Ledger parameter every node that uses the ledger shows (Join and Leave from 1.2, the
 * ledger's own operations, both triggers), and the ledger it names: where it lives is decided in
 * openLedger.ts from n8n's environment.
 */
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { JoinLedger } from './joinLedger';
import type { RedisCredentialFields } from './openLedger';
import { ledgerFor } from './openLedger';

/** The credential type of n8n's own Redis node, chosen when the ledger is in a Redis of the user's. */
export const REDIS_CREDENTIAL = 'redis';

export function joinLedgerParameter(displayOptions?: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Join Ledger',
		name: 'joinLedger',
		type: 'options',
		noDataExpression: true,
		...(displayOptions ? { displayOptions } : {}),
		options: [
			{
				name: 'Automatic',
				value: 'automatic',
				description:
					"In n8n's user folder when n8n runs as one process; in the Redis of n8n's queue in queue mode. Nothing to set up.",
			},
			{
				name: 'Redis (Credential)',
				value: 'redis',
				description: 'In the Redis of an n8n Redis credential, shared by every n8n that uses it',
			},
		],
		default: 'automatic',
		description:
			'Where the record of every join on the number is kept: it spares codes already joined, counts the join budget and pauses joins after a restriction, across executions, workflows and workers',
	};
}

/** The ledger the node's Join Ledger parameter names; throws what is missing when it cannot be used. */
export async function ledgerOfNode(
	choice: unknown,
	redisCredential: () => Promise<object>,
): Promise<JoinLedger> {
	const store =
		choice === 'redis'
			? await ledgerFor(
					{ kind: 'redis', credential: (await redisCredential()) as RedisCredentialFields },
					process.env,
				)
			: await ledgerFor({ kind: 'automatic' }, process.env);
	return new JoinLedger(store);
}
