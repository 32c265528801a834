import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ListedGroup } from '../../shared/groupAnswers';
import { LIST_ANSWER, LIST_GROUPS_REQUEST } from '../../shared/groupAnswers';
import type { OperationSpec } from '../executeOperation';
import { resultLimit, returnAllProperties } from '../options/returnAll';
import { optionEntries, optionsCollection } from '../options/runOptions';

const options = optionEntries();

const properties: INodeProperties[] = [...returnAllProperties, optionsCollection(options)];

export const description = updateDisplayOptions(
	{ show: { resource: ['group'], operation: ['getMany'] } },
	properties,
);

/**
 * The groups the instance is in (GET /api/group/list/{instance}): one item per group, paired with
 * the input item it came from. Input items of the same instance share one request.
 */
export const spec: OperationSpec<ListedGroup[]> = {
	displayName: 'Get Many Groups',
	options,
	operation: (context) => {
		const limit = resultLimit(context, 0);
		return {
			noun: 'list',
			request: () => LIST_GROUPS_REQUEST,
			answer: {
				...LIST_ANSWER,
				readSuccess: (envelope) => LIST_ANSWER.readSuccess(envelope)?.slice(0, limit),
			},
			idempotent: true,
		};
	},
	// Nothing to read per item: each item's instance is the request.
	parseIdentifier: () => ({ ok: true, value: '' }),
	show: {
		success: (groups) => ({
			fields: groups.map((group) => ({ ...group }) as IDataObject),
			branch: 'success',
		}),
		sent: () => ({}),
	},
};
