/**
 * ledger/restriction.ts: a join answer that says WhatsApp restricted or throttled the number is
 * the instance's (reason instance_restricted, never retried); any other answer stays as classified.
 */
import { classifyAnswer } from '../../nodes/RyzeApi/shared/classifyAnswer';
import { JOIN_ANSWER } from '../../nodes/RyzeApi/shared/groupAnswers';
import type { RawAnswer } from '../../nodes/RyzeApi/shared/interfaces';
import { withRestriction } from '../../nodes/RyzeApi/ledger/restriction';
import { http } from '../support/fakeAnswers';

function read(answer: RawAnswer) {
	return withRestriction(answer, classifyAnswer(answer, 64 * 1024, JOIN_ANSWER));
}

const refusal = (status: number, message: string, headers: Record<string, string> = {}) =>
	http(status, JSON.stringify({ success: false, error: { message } }), {
		'content-type': 'application/json',
		...headers,
	});

test.each([
	[403, 'failed to join group: account_reachout_restricted', 'restricted'],
	[500, 'Internal error (whatsmeow): 429 rate-overlimit', 'throttled'],
	[400, 'Your account is restricted from joining groups', 'restricted'],
	[423, 'locked', 'restricted'],
	[500, 'account banned', 'restricted'],
	[200, 'reach out restricted', 'restricted'],
])('%i "%s": instance_restricted (%s), not retried', (status, message, restriction) => {
	const { outcome, transient } = read(refusal(status, message));
	expect(transient).toBeUndefined();
	expect(outcome).toEqual({
		ok: false,
		failure: {
			reason: 'instance_restricted',
			message: `WhatsApp ${restriction} this number (${message}).`,
			httpStatus: status,
			restriction,
		},
	});
});

test('a 429 while the token still has requests left is WhatsApp throttling the number', () => {
	const answer = refusal(429, 'Rate limit exceeded. Try again later.', {
		'x-ratelimit-limit': '100',
		'x-ratelimit-remaining': '57',
		'x-ratelimit-reset': '1767225660',
	});
	const { outcome, transient } = read(answer);
	expect(transient).toBeUndefined();
	expect(!outcome.ok && outcome.failure.restriction).toBe('throttled');
});

test.each([
	[
		'the token used up (429, none left)',
		refusal(429, 'Rate limit exceeded. Try again later.', {
			'x-ratelimit-limit': '100',
			'x-ratelimit-remaining': '0',
			'x-ratelimit-reset': '1767225660',
		}),
	],
	['a revoked link', refusal(400, 'Invite link has been revoked or expired')],
	['a group that is not allowed', refusal(403, 'Not allowed to join this group')],
	['a server error', refusal(500, 'Internal error')],
	[
		'a join',
		http(
			200,
			JSON.stringify({
				success: true,
				groupJid: '1@g.us',
				message: 'Successfully joined the group',
			}),
		),
	],
])('%s stays as classified', (_name, answer) => {
	const classified = classifyAnswer(answer, 64 * 1024, JOIN_ANSWER);
	expect(withRestriction(answer, classified)).toBe(classified);
});
