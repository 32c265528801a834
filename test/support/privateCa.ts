import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A private CA and a server certificate it signed for 127.0.0.1 and localhost, made by openssl
 * in a temporary folder for one test file and deleted after it: nothing is committed, nothing
 * lives longer than a day.
 */
export interface PrivateCa {
	/** The CA's certificate (PEM file), what NODE_EXTRA_CA_CERTS names. */
	caFile: string;
	/** The server's key and certificate, for the emulator's HTTPS mode. */
	server: { key: string; cert: string };
	remove(): void;
}

export async function makePrivateCa(): Promise<PrivateCa> {
	const dir = mkdtempSync(join(tmpdir(), 'ryzeapi-ca-'));
	const path = (name: string) => join(dir, name);
	const openssl = async (args: string[]) => {
		await run('openssl', args, { timeout: 30_000 });
	};
	const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
	await openssl([
		'req',
		'-x509',
		...ecKey,
		'-days',
		'1',
		'-subj',
		'/CN=RyzeAPI test private CA',
		'-addext',
		'basicConstraints=critical,CA:TRUE',
		'-addext',
		'keyUsage=critical,keyCertSign,cRLSign',
		'-keyout',
		path('ca.key'),
		'-out',
		path('ca.pem'),
	]);
	await openssl([
		'req',
		...ecKey,
		'-subj',
		'/CN=127.0.0.1',
		'-keyout',
		path('server.key'),
		'-out',
		path('server.csr'),
	]);
	writeFileSync(
		path('server.ext'),
		'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
	);
	await openssl([
		'x509',
		'-req',
		'-in',
		path('server.csr'),
		'-CA',
		path('ca.pem'),
		'-CAkey',
		path('ca.key'),
		'-CAcreateserial',
		'-days',
		'1',
		'-extfile',
		path('server.ext'),
		'-out',
		path('server.pem'),
	]);
	return {
		caFile: path('ca.pem'),
		server: {
			key: readFileSync(path('server.key'), 'utf8'),
			cert: readFileSync(path('server.pem'), 'utf8'),
		},
		remove: () => rmSync(dir, { recursive: true, force: true }),
	};
}
