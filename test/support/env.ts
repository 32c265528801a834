// n8n-core writes an encryption key under $HOME/.n8n unless told otherwise: keep tests out of $HOME.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'ryzeapi-n8n-'));
process.env.N8N_LOG_LEVEL ??= 'silent';
// The node honours the proxy variables as n8n does; a developer's own proxy must not carry the
// tests' loopback requests. Tests that need a proxy set these themselves.
for (const name of Object.keys(process.env)) {
	if (/^(npm_config_)?(https?|all|no)_proxy$|^npm_config_proxy$/i.test(name))
		delete process.env[name];
}
