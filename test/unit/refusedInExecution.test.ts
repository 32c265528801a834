/** runner/refusedInExecution.ts: a token refused in an execution is not sent again by n8n's Retry On Fail. */
import type { Failure } from '../../nodes/RyzeApi/shared/interfaces';
import {
	earlierRefusal,
	refusalKey,
	rememberRefusal,
} from '../../nodes/RyzeApi/runner/refusedInExecution';

const refused: Failure = { reason: 'unauthorized', message: 'Invalid token', httpStatus: 401 };
const TEN_MINUTES = 10 * 60_000;

test('the same execution, node and token: the earlier refusal, for ten minutes', () => {
	const key = refusalKey('exec-1', 'RyzeAPI', 'token-hash-a');
	rememberRefusal(key, refused, 1_000);
	expect(earlierRefusal(key, 1_000 + TEN_MINUTES - 1)).toEqual(refused);
	expect(earlierRefusal(key, 1_000 + TEN_MINUTES)).toBeUndefined();
});

test('another execution, node or token is asked afresh', () => {
	rememberRefusal(refusalKey('exec-2', 'RyzeAPI', 'token-hash-a'), refused, 0);
	expect(earlierRefusal(refusalKey('exec-3', 'RyzeAPI', 'token-hash-a'), 1)).toBeUndefined();
	expect(earlierRefusal(refusalKey('exec-2', 'Other node', 'token-hash-a'), 1)).toBeUndefined();
	expect(earlierRefusal(refusalKey('exec-2', 'RyzeAPI', 'token-hash-b'), 1)).toBeUndefined();
	expect(earlierRefusal(refusalKey('exec-2', 'RyzeAPI', 'token-hash-a'), 1)).toEqual(refused);
});

test('at most 1,000 refusals are kept: the oldest go first', () => {
	for (let index = 0; index < 1_001; index++)
		rememberRefusal(refusalKey(`bulk-${index}`, 'RyzeAPI', 'token'), refused, 5_000);
	expect(earlierRefusal(refusalKey('bulk-0', 'RyzeAPI', 'token'), 5_000)).toBeUndefined();
	expect(earlierRefusal(refusalKey('bulk-1000', 'RyzeAPI', 'token'), 5_000)).toEqual(refused);
});
