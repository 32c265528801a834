import type { INodeCredentialTestResult } from 'n8n-workflow';

import { describeNoAnswer, envelopeOf, reasonForApiError } from './classifyAnswer';
import type { Connection } from './connection';
import type { RawAnswer } from './interfaces';
import { statusWords } from './statusWords';

/**
 * Turns the answer of GET /api/group/list/{instance} into the credential test's verdict, with a
 * message that says what to fix. Its first words name the field to fix (or, for an instance that
 * is not connected, say the credential is right): n8n's dialog shows the start of the message and
 * hides the rest behind "More details". Never mentions the token. Pure.
 */
export function credentialTestVerdict(
	answer: RawAnswer,
	connection: Pick<Connection, 'origin' | 'instance'>,
): INodeCredentialTestResult {
	const instance = JSON.stringify(connection.instance);
	// The same words as an item's error: a proxy or a certificate is fixed the same way.
	if (answer.kind === 'noAnswer') return error(describeNoAnswer(answer, connection.origin));
	const { status } = answer;
	const envelope = envelopeOf(answer);
	const apiMessage = envelope?.errorMessage;

	if (status >= 200 && status < 300) {
		if (envelope && envelope.success !== false)
			return { status: 'OK', message: `Connection successful: instance ${instance} answered.` };
		return error(
			`Check the Base URL: the server at ${connection.origin} answered HTTP ${status} but not like RyzeAPI.`,
		);
	}
	// Read as an item's refusal is read. "Instance not found" (404) is a wrong name, not a disconnection.
	if (
		status >= 400 &&
		status !== 404 &&
		apiMessage &&
		reasonForApiError(status, apiMessage) === 'instance_unavailable'
	) {
		// An Error, not an OK: n8n shows an OK's message nowhere, and every run would then fail.
		return error(
			`Token and instance name are right, but instance ${instance} is not connected to WhatsApp (${status}: ${apiMessage}). Connect it: scan the QR code in the RyzeAPI dashboard, then test again.`,
		);
	}
	const words = statusWords(status, { ...connection, apiMessage });
	// The field to fix comes first: n8n's dialog shows the start of the message.
	if (words.check !== undefined) {
		return error(
			`Check the ${words.check}: ${words.happened}.${words.todo ? ` ${words.todo}` : ''}`,
		);
	}
	return error(`${words.todo.replace(/\.$/, '')}: ${words.happened}.`);
}

function error(message: string): INodeCredentialTestResult {
	return { status: 'Error', message };
}
