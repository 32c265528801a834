import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import type { CredentialFields } from '../shared/connection';
import { resolveConnection } from '../shared/connection';
import { credentialTestVerdict } from '../shared/credentialCheck';
import { LIST_GROUPS_REQUEST } from '../shared/groupAnswers';
import { sendRequest } from '../transport';

const TEST_TIMEOUT_MS = 15_000;

/**
 * The credential's "Test" button: GET /api/group/list/{instance} through the node's own transport,
 * so the base URL is checked, redirects are not followed and a refusal says what to fix.
 */
export async function ryzeApiCredentialTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const connection = resolveConnection((credential.data ?? {}) as CredentialFields);
	if (!connection.ok) return { status: 'Error', message: connection.message };
	const answer = await sendRequest(connection.value, LIST_GROUPS_REQUEST, {
		timeoutMs: TEST_TIMEOUT_MS,
	});
	return credentialTestVerdict(answer, connection.value);
}
