/**
 * The credential Test button's verdict on an instance that is not connected to WhatsApp: an Error
 * that says the token and the name are right and what to do, read as an item's refusal is read.
 */
import { classifyAnswer } from '../../nodes/RyzeApi/shared/classifyAnswer';
import { credentialTestVerdict } from '../../nodes/RyzeApi/shared/credentialCheck';
import { JOIN_ANSWER } from '../../nodes/RyzeApi/shared/groupAnswers';
import { http } from '../support/fakeAnswers';

const CONNECTION = { origin: 'https://ryzeapi.cloud', instance: 'main' };
const refusal = (status: number, message: string) =>
	http(status, JSON.stringify({ success: false, error: { message } }), {
		'content-type': 'application/json',
	});
const verdictOn = (status: number, message: string) =>
	credentialTestVerdict(refusal(status, message), CONNECTION);
const NOT_CONNECTED = /^Token and instance name are right, but instance "main" is not connected/;

test.each([
	[400, 'Instance disconnected'],
	[503, 'Instance not connected'],
])('%i %s: an Error that says the credential is right and how to connect', (status, message) => {
	expect(verdictOn(status, message)).toEqual({
		status: 'Error',
		message:
			`Token and instance name are right, but instance "main" is not connected to WhatsApp (${status}: ${message}). ` +
			'Connect it: scan the QR code in the RyzeAPI dashboard, then test again.',
	});
});

test.each([
	[
		400,
		'Validation failed: instance is required',
		/^Try again later, or check the Base URL: .*400/,
	],
	[404, 'Instance not found', /^Check the Instance Name: RyzeAPI does not know instance "main"/],
	[500, 'Instance offline', /^Try again later, or check the Base URL: .*500/],
])('%i %s keeps its verdict', (status, message, verdict) => {
	const result = verdictOn(status, message);
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(verdict);
});

test('a 503 page without RyzeAPI JSON, from something in front of it, is not called a disconnected instance', () => {
	const result = credentialTestVerdict(http(503, '<h1>Service Unavailable</h1>'), CONNECTION);
	expect(result.message).toBe(
		'Try again later, or check the Base URL: RyzeAPI answered HTTP 503 without its JSON error.',
	);
});

// One reading of a refusal: the Test button says "not connected" exactly where an item's error
// says instance_unavailable (404 "Instance not found" aside: there the name is wrong).
test.each([
	[400, 'Instance disconnected'],
	[400, 'Instance is offline'],
	[409, 'Instance not ready'],
	[503, 'Instance not connected'],
	[503, 'Bridge not configured'],
	[400, 'Invalid invite link or code'],
	[400, 'Identifier is required'],
	[500, 'Instance disconnected'],
	[502, 'Instance unavailable'],
])('%i %s: the Test button and an item agree', (status, message) => {
	const { outcome } = classifyAnswer(refusal(status, message), 64 * 1024, JOIN_ANSWER);
	const itemSaysUnavailable = !outcome.ok && outcome.failure.reason === 'instance_unavailable';
	expect(NOT_CONNECTED.test(verdictOn(status, message).message ?? '')).toBe(itemSaysUnavailable);
});
