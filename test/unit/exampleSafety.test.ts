/**
 * The examples are published as they are: none may let a stranger who reaches the n8n instance
 * make the user's WhatsApp number join groups. Every trigger that listens to the outside must ask
 * for authentication (n8n refuses the call before any node runs, or the trigger itself refuses it
 * before any execution); a trigger this test does not know fails it until someone decides. The e2e
 * proves the webhook's refusal and the RyzeAPI Trigger's in a real n8n.
 */
import { readdirSync } from 'node:fs';

import type { Workflow } from '../support/n8n/examples';
import { EXAMPLES_DIR, readExample } from '../support/n8n/examples';

type Node = Workflow['nodes'][number] & { credentials?: Record<string, unknown> };

/** Triggers that no outside call can start. */
const LOCAL_TRIGGERS = new Set([
	'n8n-nodes-base.manualTrigger',
	'n8n-nodes-base.scheduleTrigger',
	'n8n-nodes-base.executeWorkflowTrigger',
	'n8n-nodes-base.errorTrigger',
	// It asks RyzeAPI at each poll: nothing outside calls it.
	'n8n-nodes-ryzeapi.ryzeApiPollingTrigger',
]);

const WEBHOOK_CREDENTIALS: Record<string, string> = {
	basicAuth: 'httpBasicAuth',
	headerAuth: 'httpHeaderAuth',
	jwtAuth: 'jwtAuth',
};

/** Why an outside call cannot start this trigger unauthenticated, or undefined when it can. */
function lockedBecause(node: Node): string | undefined {
	const { parameters } = node;
	switch (node.type) {
		case 'n8n-nodes-base.webhook': {
			const credential = WEBHOOK_CREDENTIALS[String(parameters.authentication)];
			return credential && node.credentials?.[credential]
				? `${String(parameters.authentication)} with a ${credential} credential`
				: undefined;
		}
		case '@n8n/n8n-nodes-langchain.chatTrigger':
			// Not public: n8n answers its webhook 404; only the editor's chat, behind n8n's login, reaches it.
			if (parameters.public !== true) return 'not public';
			return ['basicAuth', 'n8nUserAuth'].includes(String(parameters.authentication))
				? String(parameters.authentication)
				: undefined;
		case 'n8n-nodes-base.formTrigger':
			return parameters.authentication === 'basicAuth' ? 'basicAuth' : undefined;
		case 'n8n-nodes-ryzeapi.ryzeApiTrigger':
			// It registers its webhook at RyzeAPI with a random secret of its own (through the RyzeAPI
			// credential) and answers 401, before any execution, to a call without that secret.
			return node.credentials?.ryzeApi ? 'its own registered secret' : undefined;
		default:
			return undefined;
	}
}

const files = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json'));

test('there are examples to check', () => {
	expect(files.length).toBeGreaterThanOrEqual(3);
});

describe.each(files)('%s', (file) => {
	const triggers = (readExample(file).nodes as Node[]).filter(
		(node) =>
			!LOCAL_TRIGGERS.has(node.type) &&
			(/trigger$/i.test(node.type) || node.type === 'n8n-nodes-base.webhook'),
	);

	test('every trigger that listens to the outside asks for authentication', () => {
		const open = triggers
			.filter((node) => lockedBecause(node) === undefined)
			.map((node) => `${node.name} (${node.type})`);
		expect(open).toEqual([]);
	});
});

test('the check still finds open triggers: no authentication, or one it does not know', () => {
	const node = (type: string, parameters: Record<string, unknown> = {}): Node => ({
		name: type,
		type,
		parameters,
	});
	expect(lockedBecause(node('n8n-nodes-base.webhook', { authentication: 'none' }))).toBeUndefined();
	expect(
		lockedBecause(node('n8n-nodes-base.webhook', { authentication: 'headerAuth' })),
	).toBeUndefined();
	expect(lockedBecause(node('n8n-nodes-ryzeapi.ryzeApiTrigger'))).toBeUndefined();
	expect(lockedBecause(node('n8n-nodes-base.someNewTrigger'))).toBeUndefined();
});

test('the trigger examples listen with the RyzeAPI Trigger, locked by its registered secret', () => {
	for (const file of ['approval-loop.json', 'instance-alert.json']) {
		const triggers = (readExample(file).nodes as Node[]).filter(
			(candidate) => candidate.type === 'n8n-nodes-ryzeapi.ryzeApiTrigger',
		);
		expect(triggers.map(lockedBecause)).toEqual(['its own registered secret']);
	}
});

test('the webhook example requires n8n Header Auth, with a credential the user creates', () => {
	const webhook = (readExample('webhook-join-group.json').nodes as Node[]).find(
		(node) => node.type === 'n8n-nodes-base.webhook',
	);
	expect(webhook?.parameters.authentication).toBe('headerAuth');
	// A reference only: an exported workflow never holds the credential's value.
	expect(webhook?.credentials).toEqual({
		httpHeaderAuth: { id: expect.any(String), name: 'RyzeAPI webhook caller' },
	});
});
