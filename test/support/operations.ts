/**
 * The group operations as the runner takes them (runner/runOperation.ts: an Operation and a
 * TaskFeed), derived from the specs the node runs, for the tests that drive the runner without
 * n8n's engine.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { spec as joinSpec } from '../../nodes/RyzeApi/actions/group/join.operation';
import { spec as leaveSpec } from '../../nodes/RyzeApi/actions/group/leave.operation';
import { spec as previewSpec } from '../../nodes/RyzeApi/actions/group/preview.operation';
import type {
	GroupPreview,
	JoinSuccess,
	LeaveSuccess,
} from '../../nodes/RyzeApi/shared/groupAnswers';
import type { Operation } from '../../nodes/RyzeApi/runner/runOperation';
import { TaskFeed } from '../../nodes/RyzeApi/runner/taskFeed';

/** The node's parameters an operation reads, as n8n's getNodeParameter answers them. */
function contextWith(parameters: Record<string, unknown>): IExecuteFunctions {
	return {
		getNodeParameter: (name: string, _index: number, fallback?: unknown) =>
			name in parameters ? parameters[name] : fallback,
		// Version 1.1: the operations as the runner knew them before the join ledger.
		getNode: () => ({ typeVersion: 1.1 }),
	} as unknown as IExecuteFunctions;
}

export const joinGroup: Operation<JoinSuccess> = joinSpec.operation(contextWith({}));
export const leaveGroup: Operation<LeaveSuccess> = leaveSpec.operation(contextWith({}));

/** Preview Invite, with Options → Include Participants as given. */
export function previewGroup(includeParticipants: boolean): Operation<GroupPreview> {
	return previewSpec.operation(contextWith({ 'options.includeParticipants': includeParticipants }));
}

/** A feed of tasks known up front: all pushed, then closed. */
export function feedOf<Task>(tasks: Iterable<Task>): TaskFeed<Task> {
	const feed = new TaskFeed<Task>();
	for (const task of tasks) feed.push(task);
	feed.close();
	return feed;
}
