import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { classifyAnswer } from '../../helpers/classifyAnswer';
import type { Connection, CredentialFields } from '../../helpers/connection';
import { resolveConnection } from '../../helpers/connection';
import type { JoinFailure, JoinOutcome } from '../../helpers/interfaces';
import { parseInviteIdentifier } from '../../helpers/inviteCode';
import { BODY_LIMIT_BYTES, postJoinGroup } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Identifier',
		name: 'identifier',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv',
		description:
			'The group invite link or invite code to join. Links from chat.whatsapp.com are read in any common form (with or without https://, /invite/, a trailing slash or a query); group IDs (JIDs) and phone numbers are refused.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Instance Name',
				name: 'instanceName',
				type: 'string',
				default: '',
				description:
					"Instance to join with instead of the credential's. Useful with a TokenAccount, which can act on every instance of the account.",
			},
			{
				displayName: 'Pending Approval Output',
				name: 'pendingApprovalOutput',
				type: 'options',
				default: 'success',
				options: [
					{
						name: 'Success Output',
						value: 'success',
						description: 'Joins waiting for an admin go to the Success output with status pending_approval',
					},
					{
						name: 'Separate Output',
						value: 'separate',
						description: 'Three outputs: Joined, Pending Approval and Error',
					},
				],
				description: 'Where joins that wait for an admin\'s approval go',
			},
			{
				displayName: 'Timeout',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1000 },
				default: 30000,
				description: 'Time in ms to wait for each answer from RyzeAPI before the item goes to Error with reason timeout',
			},
		],
	},
];

const displayOptions = {
	show: {
		resource: ['group'],
		operation: ['join'],
	},
};

export const description = updateDisplayOptions(displayOptions, properties);

interface JoinOptions {
	pendingApprovalOutput?: 'success' | 'separate';
	timeout?: number;
}

/**
 * Joins one group per input item. Every input item leaves on exactly one output, keeps its own
 * fields and gains the result; pairedItem points at it. Output order follows input order.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const options = this.getNodeParameter('options', 0, {}) as JoinOptions;
	const separatePending = options.pendingApprovalOutput === 'separate';
	const timeoutMs = Math.max(1000, Number(options.timeout) || 30000);
	const credentials = (await this.getCredentials('ryzeApi')) as CredentialFields;
	const cancelSignal = this.getExecutionCancelSignal();
	const continueOnFail = this.continueOnFail();

	const joined: INodeExecutionData[] = [];
	const pending: INodeExecutionData[] = [];
	const failed: INodeExecutionData[] = [];
	// Set once the API refuses the token: it would refuse every later item too.
	let refusedToken: JoinFailure | undefined;

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const input = items[itemIndex];
		const emit = (result: IDataObject, output: INodeExecutionData[]) =>
			output.push({ json: { ...input.json, ...result }, binary: input.binary, pairedItem: { item: itemIndex } });
		const emitFailure = (failure: JoinFailure, inviteCode?: string) =>
			emit({ status: 'error', ...(inviteCode === undefined ? {} : { inviteCode }), error: { ...failure } }, failed);

		const request = readItem.call(this, credentials, itemIndex);
		if (!request.ok) {
			if (request.failure.reason === 'unauthorized' && !continueOnFail) {
				throw new NodeOperationError(this.getNode(), request.failure.message, { itemIndex });
			}
			emitFailure(request.failure);
			continue;
		}
		const { connection, code } = request;
		if (refusedToken) {
			emitFailure(
				{ ...refusedToken, message: `Not sent: RyzeAPI refused the token on an earlier item (${refusedToken.message}).` },
				code,
			);
			continue;
		}

		const answer = await postJoinGroup(connection, code, { timeoutMs, cancelSignal });
		const outcome: JoinOutcome = classifyAnswer(answer, BODY_LIMIT_BYTES);
		if (outcome.ok) {
			const { status, groupJid, requiresApproval, message } = outcome.success;
			const target = separatePending && requiresApproval ? pending : joined;
			emit({ status, groupJid, requiresApproval, inviteCode: code, message }, target);
			continue;
		}
		if (outcome.failure.reason === 'unauthorized') {
			if (!continueOnFail) throw tokenRefusedError.call(this, outcome.failure, itemIndex);
			refusedToken = outcome.failure;
		}
		emitFailure(outcome.failure, code);
	}

	return separatePending ? [joined, pending, failed] : [joined, failed];
}

type ItemRequest =
	| { ok: true; connection: Connection; code: string }
	| { ok: false; failure: JoinFailure };

/** Reads and checks one item's parameters; refusals here cost no request. */
function readItem(this: IExecuteFunctions, credentials: CredentialFields, itemIndex: number): ItemRequest {
	let identifier: unknown;
	let instanceOverride: unknown;
	try {
		identifier = this.getNodeParameter('identifier', itemIndex);
		instanceOverride = this.getNodeParameter('options.instanceName', itemIndex, '');
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return { ok: false, failure: { reason: 'invalid_identifier', message: `Could not read this item's parameters: ${reason}`, httpStatus: null } };
	}
	const connection = resolveConnection(credentials, instanceOverride);
	if (!connection.ok) {
		return { ok: false, failure: { reason: 'unauthorized', message: connection.message, httpStatus: null } };
	}
	const parsed = parseInviteIdentifier(identifier);
	if (!parsed.ok) {
		return { ok: false, failure: { reason: 'invalid_identifier', message: parsed.message, httpStatus: null } };
	}
	return { ok: true, connection: connection.value, code: parsed.code };
}

function tokenRefusedError(this: IExecuteFunctions, failure: JoinFailure, itemIndex: number): NodeApiError {
	return new NodeApiError(
		this.getNode(),
		{ message: failure.message, httpStatus: failure.httpStatus },
		{
			message: `RyzeAPI refused the credential: ${failure.message}`,
			description:
				'Check the token and instance name in the RyzeAPI credential: the token must be a TokenAccount of the account that owns the instance, or the TokenInstance of that instance. No further items were sent.',
			httpCode: failure.httpStatus === null ? undefined : String(failure.httpStatus),
			itemIndex,
		},
	);
}
