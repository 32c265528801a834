// n8n's lint rules for community nodes, set up as n8n's own node CLI (`n8n-node lint`) sets them up,
// in its variant for packages that do not target n8n Cloud (README, "Install in n8n").
// They apply to what ships (nodes, credentials, package.json); tests, scripts and the emulator get
// the general JavaScript and TypeScript rules only, since they spawn processes and hold fake tokens on purpose.
import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import { globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const communityNodes = n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport;
const shippedSources = ['nodes/**/*.ts', 'credentials/**/*.ts'];

export default tseslint.config(
	globalIgnores(['dist', 'node_modules', 'coverage', '.n8n-*']),
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
	},
	{
		files: shippedSources,
		extends: [communityNodes],
		// A function a newcomer reads in one screen (issue 16).
		rules: { 'max-lines-per-function': ['error', { max: 60 }] },
	},
	{
		files: ['package.json'],
		extends: [communityNodes],
		rules: {
			...n8nNodesBase.configs.community.rules,
			// undici is the package's one runtime dependency, on purpose: it gives each request a
			// deadline, a body size cap and a keep-alive pool (CONTRIBUTING.md, "Code layout").
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
	// One rule is set aside on one line, in nodes/RyzeApi/*.node.ts: the join ledger may live in the
	// Redis of n8n's own `redis` credential (the one n8n's Redis node uses), so that users do not
	// store their Redis password twice. n8n's lint forbids a credential from another package
	// (no-credential-reuse, valid-credential-references) as a rule for verified nodes; n8n itself
	// lets a node use it, and the end-to-end suite runs it in real n8n.
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Fits n8n's own credentials, whose documentation URLs are slugs of docs.n8n.io (`n8n-node lint`
			// turns it off too): a community credential links to its provider's page.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// Wants the display name to end in " API"; the provider's name, RyzeAPI, already does.
			'n8n-nodes-base/cred-class-field-display-name-missing-api': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Predates NodeConnectionTypes, which n8n 2.x types ask for (`n8n-node lint` turns it off too).
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			// The same for outputs: the trigger declares NodeConnectionTypes.Main, as the action node's inputs do.
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// Options are listed in the order a person decides them (which instance; how fast: min then
			// max delay, per minute, in flight; then tries, waits, timeout), not alphabetically: n8n
			// shows a collection's options in the order given, and alphabetical order put "Max Delay"
			// before "Min Delay" and scattered related settings (issue 11).
			'n8n-nodes-base/node-param-collection-type-unsorted-items': 'off',
		},
	},
);
