/** runner/refusedInExecution.ts: a token refused in an execution is not sent again by n8n's Retry On Fail. */
import { useClock } from '../../nodes/RyzeApi/shared/clock';
import type { Failure } from '../../nodes/RyzeApi/shared/interfaces';
import {
	earlierRefusal,
	refusedTokenKey,
	rememberRefusal,
} from '../../nodes/RyzeApi/runner/refusedInExecution';
import type { ManualClock } from '../support/manualClock';
import { manualClock } from '../support/manualClock';

const refused: Failure = { reason: 'unauthorized', message: 'Invalid token', httpStatus: 401 };
const TEN_MINUTES = 10 * 60_000;

let clock: ManualClock;
beforeEach(() => {
	clock = manualClock();
	useClock(clock);
});
afterEach(() => useClock());

test('the same execution, node and token: the earlier refusal, for ten minutes', () => {
	const key = refusedTokenKey('exec-1', 'RyzeAPI', 'token-hash-a');
	rememberRefusal(key, refused);
	clock.advance(TEN_MINUTES - 1);
	expect(earlierRefusal(key)).toEqual(refused);
	clock.advance(1);
	expect(earlierRefusal(key)).toBeUndefined();
});

test('another execution, node or token is asked afresh', () => {
	rememberRefusal(refusedTokenKey('exec-2', 'RyzeAPI', 'token-hash-a'), refused);
	clock.advance(1);
	expect(earlierRefusal(refusedTokenKey('exec-3', 'RyzeAPI', 'token-hash-a'))).toBeUndefined();
	expect(earlierRefusal(refusedTokenKey('exec-2', 'Other node', 'token-hash-a'))).toBeUndefined();
	expect(earlierRefusal(refusedTokenKey('exec-2', 'RyzeAPI', 'token-hash-b'))).toBeUndefined();
	expect(earlierRefusal(refusedTokenKey('exec-2', 'RyzeAPI', 'token-hash-a'))).toEqual(refused);
});

test('at most 1,000 refusals are kept: the oldest go first', () => {
	for (let index = 0; index < 1_001; index++)
		rememberRefusal(refusedTokenKey(`bulk-${index}`, 'RyzeAPI', 'token'), refused);
	expect(earlierRefusal(refusedTokenKey('bulk-0', 'RyzeAPI', 'token'))).toBeUndefined();
	expect(earlierRefusal(refusedTokenKey('bulk-1', 'RyzeAPI', 'token'))).toEqual(refused);
	expect(earlierRefusal(refusedTokenKey('bulk-1000', 'RyzeAPI', 'token'))).toEqual(refused);
});
