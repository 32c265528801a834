// n8n-core writes an encryption key under $HOME/.n8n unless told otherwise: keep tests out of $HOME.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'ryzeapi-n8n-'));
process.env.N8N_LOG_LEVEL ??= 'silent';
