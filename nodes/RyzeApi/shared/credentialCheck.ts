import type { INodeCredentialTestResult } from 'n8n-workflow';

import { describeNoAnswer, envelopeOf, reasonForApiError } from './classifyAnswer';
import type { Connection } from './connection';
import type { RawAnswer } from './interfaces';

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
	const said = apiMessage ? `: ${apiMessage}` : '';

	if (status >= 200 && status < 300) {
		if (envelope && envelope.success !== false)
			return { status: 'OK', message: `Connection successful: instance ${instance} answered.` };
		return error(
			`Check the Base URL: the server at ${connection.origin} answered HTTP ${status} but not like RyzeAPI.`,
		);
	}
	if (status >= 300 && status < 400) {
		return error(
			`Check the Base URL (https:// and the exact host): the server at ${connection.origin} answered with a redirect (HTTP ${status}), which is not followed so the token is not sent elsewhere.`,
		);
	}
	if (status === 401) {
		return error(
			`Check the Token: RyzeAPI refused the token (401${said}). Paste a valid TokenAccount, or the TokenInstance of instance ${instance}.`,
		);
	}
	if (status === 403) {
		return error(
			`Check the Instance Name or the Token: the token is valid but may not act on instance ${instance} (403${said}). Use the TokenAccount of the account that owns it, or that instance's TokenInstance.`,
		);
	}
	if (status === 404) {
		return apiMessage
			? error(
					`Check the Instance Name: RyzeAPI does not know instance ${instance} (404: ${apiMessage}). Use the name shown in the RyzeAPI dashboard.`,
				)
			: error(
					`Check the Base URL: the server at ${connection.origin} answered 404 and not like RyzeAPI.`,
				);
	}
	// Read as an item's refusal is read. After the 404s: "Instance not found" is a wrong name.
	if (apiMessage && reasonForApiError(status, apiMessage) === 'instance_unavailable') {
		// An Error, not an OK: n8n shows an OK's message nowhere, and every run would then fail.
		return error(
			`Token and instance name are right, but instance ${instance} is not connected to WhatsApp (${status}: ${apiMessage}). Connect it: scan the QR code in the RyzeAPI dashboard, then test again.`,
		);
	}
	if (status === 429)
		return error(
			`Try again in a minute: RyzeAPI's rate limit for this token is used up right now (429${said}).`,
		);
	return error(
		`Try again later, or check the Base URL: RyzeAPI answered HTTP ${status}${said || ' without its JSON error'}.`,
	);
}

function error(message: string): INodeCredentialTestResult {
	return { status: 'Error', message };
}
