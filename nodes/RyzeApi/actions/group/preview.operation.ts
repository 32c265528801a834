import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { GroupPreview } from '../../shared/groupAnswers';
import { PREVIEW_ANSWER } from '../../shared/groupAnswers';
import { parseGroupIdentifier } from '../../shared/inviteCode';
import type { Operation } from '../../runner/runOperation';
import { executeOperation } from '../executeOperation';
import { identifierProperty, optionsCollection } from './runOptions';

const properties: INodeProperties[] = [
	identifierProperty(
		'e.g. https://chat.whatsapp.com/AbCdEf…',
		"The group's invite link or invite code (read as Join Group reads it), or the group's ID ending in @g.us. Nothing is joined. RyzeAPI's page: <a href=\"https://docs.ryzeapi.cloud/en/api/groups/info\">Group details</a>.",
	),
	optionsCollection([
		{
			displayName: 'Include Participants',
			name: 'includeParticipants',
			type: 'boolean',
			default: false,
			description:
				'Whether to add the list of members (each with its JID and admin flags). Off by default: big groups have thousands.',
		},
	]),
];

const displayOptions = {
	show: {
		resource: ['group'],
		operation: ['preview'],
	},
};

export const description = updateDisplayOptions(displayOptions, properties);

/** GET /api/group/info/{instance}: reads a group's details without joining it. */
export function previewGroup(includeParticipants: boolean): Operation<GroupPreview> {
	return {
		noun: 'preview',
		request: (identifier) => ({
			method: 'GET',
			route: 'info',
			query: { identifier, participants: String(includeParticipants) },
		}),
		answer: PREVIEW_ANSWER,
		idempotent: true,
	};
}

/**
 * Previews one group per input item: name, size, whether an admin must approve joins, and the
 * rest of the group's documented fields, at the top level of the item, for an IF node to filter on.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[][]> {
	const includeParticipants = this.getNodeParameter('options.includeParticipants', 0, false);
	return await executeOperation.call(this, items, {
		operation: previewGroup(includeParticipants === true),
		displayName: 'Preview Invite',
		parseIdentifier: parseGroupIdentifier,
		show: {
			success: (preview: GroupPreview, identifier: string) => ({
				fields: { status: 'previewed', identifier, ...preview } as IDataObject,
				branch: 'success',
			}),
			sent: (identifier) => ({ identifier }),
		},
	});
}
