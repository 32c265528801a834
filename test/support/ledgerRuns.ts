/**
 * Join Group 1.2 and its join ledger in n8n's engine, as the ledger, trigger and polling suites
 * drive them: a join with no budget in the way, and the ledger's record of a code.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';
import { runRyzeApiNode } from './engine';

/** Join Group's budget options, all off (any hour, no pause, no cap): a test sets only its own. */
export const UNPACED_JOIN_OPTIONS = {
	activeHoursFrom: '',
	activeHoursTo: '',
	minDelaySeconds: 0,
	maxDelaySeconds: 0,
	maxJoinsPerHour: 0,
	maxJoinsPerDay: 0,
};

/** Join Group 1.2, unpaced, one item per code: its items, all outputs together. */
export async function joinUnpaced(
	credentials: ICredentialDataDecryptedObject,
	...codes: string[]
): Promise<IDataObject[]> {
	const result = await runRyzeApiNode({
		nodeType: new RyzeApi(),
		items: codes.map((code) => ({ code })),
		typeVersion: 1.2,
		parameters: {
			resource: 'group',
			operation: 'join',
			identifier: '={{ $json.code }}',
			options: UNPACED_JOIN_OPTIONS,
		},
		credentials,
	});
	if (result.error) throw result.error;
	return (result.outputs ?? []).flat().map((item) => item.json);
}

/** The join ledger's record of this code (Join Ledger → Get Records), if it holds one. */
export async function ledgerRecordOf(
	credentials: ICredentialDataDecryptedObject,
	code: string,
): Promise<IDataObject | undefined> {
	const result = await runRyzeApiNode({
		nodeType: new RyzeApi(),
		items: [{}],
		typeVersion: 1.2,
		parameters: { resource: 'ledger', operation: 'getRecords', returnAll: true },
		credentials,
	});
	if (result.error) throw result.error;
	return (result.outputs?.[0] ?? [])
		.map((item) => item.json)
		.find((record) => record.inviteCode === code);
}
