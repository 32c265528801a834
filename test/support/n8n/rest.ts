/**
 * n8n's REST API as its editor calls it, for the real-n8n suites: the owner's session (made once,
 * as n8n's first screen does), publishing and unpublishing a workflow, its executions with their
 * data, a data table's rows. Each call answers its status and parsed body, so a test can assert a
 * refusal as well as a success.
 */
import type { N8n } from './realN8n';

export interface HttpAnswer {
	status: number;
	body: unknown;
}

/** A POST of JSON; the answer's body parsed when it is JSON, its text otherwise. */
export async function postJson(
	url: string,
	body: unknown,
	headers: Record<string, string> = {},
): Promise<HttpAnswer> {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(60_000),
	});
	return { status: response.status, body: parseText(await response.text()) };
}

const sessions = new WeakMap<N8n, Promise<string>>();

/** The owner account's session cookie; the account is created (as n8n's first screen does) once. */
export function ownerSession(n8n: N8n): Promise<string> {
	let session = sessions.get(n8n);
	if (!session) {
		session = createOwner(n8n.url);
		sessions.set(n8n, session);
	}
	return session;
}

async function createOwner(url: string): Promise<string> {
	const response = await fetch(`${url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			email: 'owner@example.com',
			firstName: 'E2E',
			lastName: 'Owner',
			password: 'E2e-owner-passw0rd',
		}),
	});
	await response.arrayBuffer();
	const cookie = response.headers.getSetCookie().find((value) => value.startsWith('n8n-auth='));
	if (response.status !== 200 || !cookie)
		throw new Error(`Owner setup answered ${response.status} without a session`);
	return cookie.split(';')[0];
}

/** One call to n8n's REST API (`/rest/…`) in the owner's session; n8n wraps answers in `data`. */
export async function rest(
	n8n: N8n,
	method: 'GET' | 'POST' | 'DELETE',
	path: string,
	body?: unknown,
): Promise<HttpAnswer> {
	const response = await fetch(`${n8n.url}/rest${path}`, {
		method,
		headers: {
			cookie: await ownerSession(n8n),
			...(body === undefined ? {} : { 'content-type': 'application/json' }),
		},
		body: body === undefined ? undefined : JSON.stringify(body),
		signal: AbortSignal.timeout(60_000),
	});
	return { status: response.status, body: parseText(await response.text()) };
}

/** The `data` of a successful REST answer; anything else is an error that says what n8n answered. */
async function restData<T>(n8n: N8n, method: 'GET' | 'POST', path: string): Promise<T> {
	const answer = await rest(n8n, method, path);
	if (answer.status !== 200)
		throw new Error(
			`n8n answered ${answer.status} to ${method} /rest${path}: ${JSON.stringify(answer.body)}`,
		);
	return (answer.body as { data: T }).data;
}

/**
 * Publishes the workflow's current version as the editor's Publish button does (REST, so the
 * trigger's webhook `create` runs in the started n8n). A refusal is answered, not thrown: n8n says
 * 400 and why (the trigger's error message) and leaves the workflow unpublished.
 */
export async function activateWorkflow(n8n: N8n, workflowId: string): Promise<HttpAnswer> {
	const { versionId } = await restData<{ versionId: string }>(
		n8n,
		'GET',
		`/workflows/${workflowId}`,
	);
	return await rest(n8n, 'POST', `/workflows/${workflowId}/activate`, { versionId });
}

/** Unpublishes as the editor does: unlike the CLI, this runs the trigger's webhook `delete`. */
export async function deactivateWorkflow(n8n: N8n, workflowId: string): Promise<HttpAnswer> {
	return await rest(n8n, 'POST', `/workflows/${workflowId}/deactivate`, {});
}

export interface ExecutionSummary {
	id: string;
	status: string;
	mode: string;
	finished: boolean;
}

/** The workflow's executions, newest first (at most 250). */
export async function listExecutions(n8n: N8n, workflowId: string): Promise<ExecutionSummary[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const data = await restData<{ results: ExecutionSummary[] }>(
		n8n,
		'GET',
		`/executions?filter=${filter}&limit=250`,
	);
	return data.results;
}

export interface ExecutionWithData {
	/** The whole answer as n8n sent it: to search for what must not be stored. */
	raw: string;
	status: string;
	/** Items each node put on each of its outputs, in its first run. */
	outputs: Record<string, Array<Array<{ json: Record<string, unknown> }> | null>>;
}

/** One execution with its stored data (n8n keeps it in `flatted` form, read back here). */
export async function getExecution(n8n: N8n, id: string): Promise<ExecutionWithData> {
	const answer = await rest(n8n, 'GET', `/executions/${id}`);
	if (answer.status !== 200) throw new Error(`n8n answered ${answer.status} for execution ${id}`);
	const execution = (answer.body as { data: { status: string; data: string } }).data;
	const data = unflatten(execution.data) as {
		resultData: {
			runData: Record<string, Array<{ data?: { main?: ExecutionWithData['outputs'][string] } }>>;
		};
	};
	const outputs: ExecutionWithData['outputs'] = {};
	for (const [node, runs] of Object.entries(data.resultData.runData))
		outputs[node] = runs[0]?.data?.main ?? [];
	return { raw: JSON.stringify(answer.body), status: execution.status, outputs };
}

/**
 * flatted's parse (the format n8n stores execution data in): a JSON array whose first entry is the
 * root; inside objects and arrays, every string is the index of the entry that holds it.
 */
function unflatten(text: string): unknown {
	const entries = JSON.parse(text) as unknown[];
	const revived = new Map<number, unknown>();
	const entry = (index: number): unknown => {
		const value = entries[index];
		if (value === null || typeof value !== 'object') return value;
		const known = revived.get(index);
		if (known !== undefined) return known;
		const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
		revived.set(index, copy);
		for (const [key, field] of Object.entries(value))
			(copy as Record<string, unknown>)[key] =
				typeof field === 'string' ? entry(Number(field)) : field;
		return copy;
	};
	return entry(0);
}

function parseText(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text; // Not JSON: keep the text.
	}
}
