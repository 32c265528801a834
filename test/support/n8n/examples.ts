/**
 * The workflows in examples/, and the credentials they name, set up for a local n8n: the
 * RyzeAPI credential points at the emulator, the OpenAI one at the stand-in model, and the
 * spreadsheet example reads and writes in a folder n8n may use.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { ACCOUNT_TOKEN, MAIN_INSTANCE } from '../emulator/server';

export const EXAMPLES_DIR = resolve(__dirname, '..', '..', '..', 'examples');
export const SAMPLE_CSV = join(EXAMPLES_DIR, 'groups-to-join.csv');

export const WEBHOOK_EXAMPLE = {
	file: 'webhook-join-group.json',
	id: 'ryzeApiWebhookJoin',
	path: 'ryzeapi/join-group',
};
/**
 * The Header Auth credential the webhook example requires of its callers, as a user would create
 * it for the local n8n of the tests and of `npm run dev` (a made-up value, not a secret).
 */
export const WEBHOOK_AUTH = {
	header: 'X-Webhook-Secret',
	value: 'local-n8n-webhook-caller-secret',
};

export const SPREADSHEET_EXAMPLE = {
	file: 'spreadsheet-join-groups.json',
	id: 'ryzeApiSheetJoin',
	input: 'groups-to-join.csv',
	output: 'groups-joined.csv',
};
export const AGENT_EXAMPLE = { file: 'ai-agent-join-groups.json', id: 'ryzeApiAgentJoin' };
export const PREVIEW_EXAMPLE = {
	file: 'preview-then-join.json',
	id: 'ryzeApiPreviewJoin',
	input: 'groups-to-preview.csv',
	output: 'groups-previewed.csv',
};
export const PREVIEW_CSV = join(EXAMPLES_DIR, PREVIEW_EXAMPLE.input);
/** Join through a webhook; the join ledger holds pending approvals, the trigger hears them approved. */
export const APPROVAL_LOOP_EXAMPLE = {
	file: 'approval-loop.json',
	id: 'ryzeApiApprovalLoop',
	path: 'ryzeapi/join-and-track',
};
export const INSTANCE_ALERT_EXAMPLE = { file: 'instance-alert.json', id: 'ryzeApiInstanceAlert' };
/** The approval loop heard by polling: for an n8n RyzeAPI cannot reach. */
export const APPROVAL_POLLING_EXAMPLE = {
	file: 'approval-loop-polling.json',
	id: 'ryzeApiApprovalPolling',
	path: 'ryzeapi/join-and-poll',
};
/** A long list worked through every hour: the rows not done yet go, every row is written back. */
export const DRIP_FEED_EXAMPLE = {
	file: 'drip-feed-join-groups.json',
	id: 'ryzeApiDripFeed',
	list: 'groups-drip-feed.csv',
};
const ALL_EXAMPLES = [
	WEBHOOK_EXAMPLE,
	SPREADSHEET_EXAMPLE,
	AGENT_EXAMPLE,
	PREVIEW_EXAMPLE,
	APPROVAL_LOOP_EXAMPLE,
	INSTANCE_ALERT_EXAMPLE,
	APPROVAL_POLLING_EXAMPLE,
	DRIP_FEED_EXAMPLE,
];

interface WorkflowNode {
	name: string;
	type: string;
	webhookId?: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	[key: string]: unknown;
}

export function readExample(file: string): Workflow {
	return JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as Workflow;
}

export function nodeOfType(workflow: Workflow, typeSuffix: string): WorkflowNode {
	const node = workflow.nodes.find((candidate) => candidate.type.endsWith(typeSuffix));
	if (!node) throw new Error(`${workflow.name} has no ${typeSuffix} node`);
	return node;
}

/** A CSV example with its file paths pointing into filesDir, as a user would set them. */
export function csvExampleIn(
	example: { file: string; input: string; output: string },
	filesDir: string,
): Workflow {
	const workflow = readExample(example.file);
	for (const assignment of assignmentsSetting(workflow, 'inputFile')) {
		if (assignment.name === 'inputFile') assignment.value = join(filesDir, example.input);
		if (assignment.name === 'outputFile') assignment.value = join(filesDir, example.output);
	}
	return workflow;
}

/** The drip-feed example reading and rewriting its list in filesDir, as a user would set it. */
export function dripFeedExampleIn(filesDir: string): Workflow {
	const workflow = readExample(DRIP_FEED_EXAMPLE.file);
	for (const assignment of assignmentsSetting(workflow, 'listFile')) {
		if (assignment.name === 'listFile') assignment.value = join(filesDir, DRIP_FEED_EXAMPLE.list);
	}
	return workflow;
}

/**
 * The workflow's time zone set to one where it is about noon now, so that Join Group's Active Hours
 * (08:00–20:00 by default, in the workflow's time zone) hold whenever a suite runs.
 */
export function inDaytime<W extends Workflow>(workflow: W, nowMs = Date.now()): W {
	const offset = 12 - new Date(nowMs).getUTCHours();
	// POSIX zones count west as positive: Etc/GMT-5 is five hours ahead of UTC.
	const zone = offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
	const target: Workflow = workflow;
	target.settings = { ...(target.settings as Record<string, unknown>), timezone: zone };
	return workflow;
}

/**
 * Join Group nodes without the pause between joins (the suites check wiring, not pacing); with
 * `budget: 'none'` also without a join budget or Active Hours, for the suites that run several
 * examples on one instance: its budget is the ledger suites' to test.
 */
export function joinsUnpaced<W extends Workflow>(workflow: W, budget: 'kept' | 'none'): W {
	for (const node of workflow.nodes) {
		if (!/\.ryzeApi(Tool)?$/.test(node.type) || node.parameters.operation !== 'join') continue;
		const options = (node.parameters.options ?? {}) as Record<string, unknown>;
		Object.assign(options, { minDelaySeconds: 0, maxDelaySeconds: 0 });
		if (budget === 'none') {
			Object.assign(options, {
				maxJoinsPerHour: 0,
				maxJoinsPerDay: 0,
				activeHoursFrom: '',
				activeHoursTo: '',
			});
		}
		node.parameters.options = options;
	}
	return workflow;
}

/** The instance alert example posting to alertUrl, as a user sets their incoming webhook's URL. */
export function instanceAlertTo(alertUrl: string): Workflow {
	const workflow = readExample(INSTANCE_ALERT_EXAMPLE.file);
	for (const assignment of assignmentsSetting(workflow, 'alertWebhookUrl')) {
		if (assignment.name === 'alertWebhookUrl') assignment.value = alertUrl;
	}
	return workflow;
}

/** The assignments of the Set node that sets this field: where a user changes the example's settings. */
function assignmentsSetting(
	workflow: Workflow,
	field: string,
): Array<{ name: string; value: unknown }> {
	const assignments = workflow.nodes
		.map(
			(node) =>
				(
					node.parameters.assignments as
						{ assignments: Array<{ name: string; value: unknown }> } | undefined
				)?.assignments,
		)
		.find((list) => list?.some((assignment) => assignment.name === field));
	if (!assignments) throw new Error(`${workflow.name} has no node that sets ${field}`);
	return assignments;
}

/** A RyzeAPI credential for n8n's import, pointing at the emulator (its main instance by default). */
export function ryzeApiCredential(
	reference: { id: string; name: string },
	baseUrl: string,
	{ instanceName = MAIN_INSTANCE, token = ACCOUNT_TOKEN } = {},
): object {
	return { ...reference, type: 'ryzeApi', data: { baseUrl, instanceName, token } };
}

/** Every credential the examples name, by the id and name they name it with. */
export function exampleCredentials(urls: { ryzeApi: string; openAi: string }): object[] {
	const named = new Map<string, { id: string; name: string }>();
	for (const { file } of ALL_EXAMPLES) {
		for (const node of readExample(file).nodes) {
			for (const [type, reference] of Object.entries(node.credentials ?? {}))
				named.set(type, reference);
		}
	}
	const data: Record<string, object> = {
		ryzeApi: { baseUrl: urls.ryzeApi, instanceName: MAIN_INSTANCE, token: ACCOUNT_TOKEN },
		openAiApi: { apiKey: 'sk-local-stand-in', url: urls.openAi, header: false },
		httpHeaderAuth: { name: WEBHOOK_AUTH.header, value: WEBHOOK_AUTH.value },
	};
	return [...named].map(([type, reference]) => {
		if (!data[type])
			throw new Error(`The examples name a ${type} credential this setup does not know`);
		return { ...reference, type, data: data[type] };
	});
}
