import type { IAuthenticateGeneric, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

export class RyzeApi implements ICredentialType {
	name = 'ryzeApi';

	displayName = 'RyzeAPI';

	icon: Icon = {
		light: 'file:../nodes/RyzeApi/ryzeapi.svg',
		dark: 'file:../nodes/RyzeApi/ryzeapi.dark.svg',
	};

	documentationUrl = 'https://docs.ryzeapi.cloud/en/guide/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://ryzeapi.cloud',
			required: true,
			description:
				'Address of the RyzeAPI server. Change it only for a self-hosted or proxied deployment.',
		},
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
			hint: 'A TokenAccount (acts on every instance of the account) or a TokenInstance (this instance only)',
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
