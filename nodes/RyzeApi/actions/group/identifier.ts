import type { INodeProperties } from 'n8n-workflow';

/** An operation's Identifier: what it reads out of each item, described for that operation. */
export function identifierProperty(placeholder: string, description: string): INodeProperties {
	return {
		displayName: 'Identifier',
		name: 'identifier',
		type: 'string',
		default: '',
		required: true,
		placeholder,
		description,
	};
}
