/**
 * Whether a join's answer says WhatsApp restricted or throttled the number: then joins on that
 * number stop everywhere for a cool-down instead of being retried. RyzeAPI does not publish its
 * words for a restriction, so the words WhatsApp and its libraries use are looked for in the
 * message at any status (README, "Joining safely"), and a 429 while the rate-limit headers still
 * show requests left is WhatsApp throttling, not the token. Pure.
 */
import type { Classified } from '../shared/classifyAnswer';
import { envelopeOf } from '../shared/classifyAnswer';
import type { RawAnswer } from '../shared/interfaces';

export type Restriction = 'restricted' | 'throttled';

/** whatsmeow's and Baileys' words: rate-overlimit is a throttle, the others a restriction. */
const THROTTLE_WORDS = /rate[-_ ]?overlimit/i;
const RESTRICTION_WORDS = /reach[-_ ]?out|restrict|\blocked\b|\bbanned\b/i;

/** What the answer says of the number, if anything. */
function restrictionIn(
	answer: RawAnswer,
	classified: Classified<unknown>,
): Restriction | undefined {
	if (answer.kind !== 'http' || classified.outcome.ok) return undefined;
	// A refused token is the token's: it stops the run as such, whatever its words.
	if (classified.outcome.failure.reason === 'unauthorized') return undefined;
	const message = envelopeOf(answer)?.errorMessage ?? classified.outcome.failure.message;
	if (THROTTLE_WORDS.test(message)) return 'throttled';
	if (RESTRICTION_WORDS.test(message)) return 'restricted';
	if (classified.transient?.kind === 'throttled') return 'throttled';
	return undefined;
}

/**
 * A join answer as version 1.2 reads it: a restriction or a throttle is the instance's, not the
 * item's, and is not retried (joins on the number pause instead); anything else as classified.
 */
export function withRestriction<T>(answer: RawAnswer, classified: Classified<T>): Classified<T> {
	const restriction = restrictionIn(answer, classified);
	if (restriction === undefined || classified.outcome.ok) return classified;
	const { failure } = classified.outcome;
	const words = restriction === 'throttled' ? 'throttled' : 'restricted';
	return {
		outcome: {
			ok: false,
			failure: {
				reason: 'instance_restricted',
				message: `WhatsApp ${words} this number (${failure.message}).`,
				httpStatus: failure.httpStatus,
				restriction,
			},
		},
	};
}
