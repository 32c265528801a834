import type { IAuthenticateGeneric, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/** The provider's own server; a self-hosted or proxied deployment sets another. */
export const DEFAULT_BASE_URL = 'https://ryzeapi.cloud';

export class RyzeApi implements ICredentialType {
	name = 'ryzeApi';

	displayName = 'RyzeAPI';

	icon: Icon = {
		light: 'file:../nodes/RyzeApi/ryzeapi.svg',
		dark: 'file:../nodes/RyzeApi/ryzeapi.dark.svg',
	};

	documentationUrl = 'https://docs.ryzeapi.cloud/en/guide/authentication';

	// In the order a person fills them: Base URL, which almost nobody changes, last.
	properties: INodeProperties[] = [
		{
			displayName: 'Instance Name',
			name: 'instanceName',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. my-whatsapp',
			description:
				'Name of the instance (the connected WhatsApp number) as shown in the RyzeAPI dashboard',
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			hint: "The instance's TokenInstance (shown once, when the instance was created in RyzeAPI) or your account's TokenAccount (given when your RyzeAPI account was created; it acts on every instance)",
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			required: true,
			description:
				'Address of the RyzeAPI server. Change it only for a self-hosted or proxied deployment.',
		},
	];

	// Also lets n8n's HTTP Request node call the provider's other routes with this credential.
	// The "Test" button is the node's ryzeApiCredentialTest (testedBy): it checks the base URL,
	// follows no redirect and explains a 401/403, which a declarative test cannot do.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				token: '={{ $credentials.token.trim() }}',
			},
		},
	};
}
