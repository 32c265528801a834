import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { GroupPreview } from '../../shared/groupAnswers';
import { PREVIEW_ANSWER } from '../../shared/groupAnswers';
import { parseGroupIdentifier } from '../../shared/inviteCode';
import type { OperationSpec } from '../executeOperation';
import { optionEntries, optionsCollection } from '../options/runOptions';
import { identifierProperty } from './identifier';

const options = optionEntries({
	first: [
		{
			displayName: 'Include Participants',
			name: 'includeParticipants',
			type: 'boolean',
			default: false,
			description:
				'Whether to add the list of members (each with its JID and admin flags). Off by default: big groups have thousands.',
		},
	],
});

const properties: INodeProperties[] = [
	identifierProperty(
		'e.g. https://chat.whatsapp.com/AbCdEf…',
		"The group's invite link or invite code (read as Join Group reads it), or the group's ID ending in @g.us. Nothing is joined. RyzeAPI's page: <a href=\"https://docs.ryzeapi.cloud/en/api/groups/info\">Group details</a>.",
	),
	optionsCollection(options),
];

const displayOptions = {
	show: {
		resource: ['group'],
		operation: ['preview'],
	},
};

export const description = updateDisplayOptions(displayOptions, properties);

/**
 * Previews one group per input item (GET /api/group/info/{instance}, which joins nothing): name,
 * size, whether an admin must approve joins, and the rest of the group's documented fields, at
 * the top level of the item, for an IF node to filter on.
 */
export const spec: OperationSpec<GroupPreview> = {
	displayName: 'Preview Invite',
	options,
	operation: (context) => {
		const includeParticipants =
			context.getNodeParameter('options.includeParticipants', 0, false) === true;
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
	},
	parseIdentifier: parseGroupIdentifier,
	show: {
		success: (preview, identifier) => ({
			fields: { status: 'previewed', identifier, ...preview } as IDataObject,
			branch: 'success',
		}),
		sent: (identifier) => ({ identifier }),
	},
};
