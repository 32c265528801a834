import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class RyzeApi implements ICredentialType {
	name = 'ryzeApi';

	displayName = 'RyzeAPI';

	icon: Icon = { light: 'file:../nodes/RyzeApi/ryzeapi.svg', dark: 'file:../nodes/RyzeApi/ryzeapi.dark.svg' };

	documentationUrl = 'https://docs.ryzeapi.cloud/en/guide/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://ryzeapi.cloud',
			required: true,
			description: 'Address of the RyzeAPI server. Change it only for a self-hosted or proxied deployment.',
		},
		{
			displayName: 'Instance Name',
			name: 'instanceName',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. my-whatsapp',
			description: 'Name of the instance (the connected WhatsApp number) as shown in the RyzeAPI dashboard',
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
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				token: '={{ $credentials.token.trim() }}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ ($credentials.baseUrl || "https://ryzeapi.cloud").trim().replace(/\\/+$/, "") }}',
			url: '={{ "/api/group/list/" + encodeURIComponent(($credentials.instanceName || "").trim()) }}',
			method: 'GET',
			// A redirect would carry the token header to another address.
			disableFollowRedirect: true,
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'RyzeAPI refused the token (401). Paste a valid TokenAccount, or the TokenInstance of this instance.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The token is valid but may not act on this instance (403). Check the Instance Name, or use the TokenAccount of the account that owns it.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'Not found (404): check the Instance Name, and that the Base URL points at RyzeAPI (for example https://ryzeapi.cloud).',
				},
			},
		],
	};
}
