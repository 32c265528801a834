/**
 * The RyzeAPI Trigger in n8n-core's own contexts, in process: its webhookMethods run in a
 * HookContext and its webhook() in a WebhookContext, on a Workflow of n8n-workflow, so the webhook
 * URL, the static data, the credentials and the mode are n8n's real implementations. In front of
 * webhook() stands a real HTTP server on loopback (n8n's webhook server, stand-in): the emulator
 * delivers to the URL the node registered, and the server hands the request, its JSON body
 * parsed, and an express-like response to the context, as n8n's webhook routes do.
 */
import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { HookContext, WebhookContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeParameters,
	IWebhookData,
	IWebhookResponseData,
	IWorkflowExecuteAdditionalData,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { RyzeApiTrigger } from '../../nodes/RyzeApi/RyzeApiTrigger.node';
import { TestCredentialsHelper, TestNodeTypes } from './engine';

export const TRIGGER_TYPE = 'n8n-nodes-ryzeapi.ryzeApiTrigger';
export const TRIGGER_NAME = 'RyzeAPI Trigger';

/** 'trigger': the workflow is active (n8n's production webhook); 'manual': the editor listens. */
export type TriggerMode = Extract<WorkflowExecuteMode, 'trigger' | 'manual'>;

/** One request the stand-in webhook server received, and what became of it. */
export interface Reception {
	path: string;
	/** The parsed JSON body, as n8n's body parser hands it on. */
	body: unknown;
	authorization: string | undefined;
	/** The status the caller got. */
	status: number;
	/** What webhook() returned; undefined when it threw. */
	result: IWebhookResponseData | undefined;
	error?: unknown;
}

export interface TriggerHarnessOptions {
	workflowId: string;
	credentials: ICredentialDataDecryptedObject;
	parameters?: INodeParameters;
	nodeId?: string;
	/** The node's typeVersion in the workflow: 1 unless given (1.1 keeps the join ledger). */
	typeVersion?: number;
}

type WebhookMethod = 'checkExists' | 'create' | 'delete';

export class TriggerHarness {
	readonly nodeType = new RyzeApiTrigger();

	readonly received: Reception[] = [];

	/**
	 * The workflow as n8n holds it in each mode: the active one, and the editor's copy that n8n's
	 * TestWebhooks builds with static data of its own (starting empty, kept with the registration).
	 */
	private readonly workflows: Record<TriggerMode, Workflow>;

	credentials: ICredentialDataDecryptedObject;

	private server: Server | undefined;

	/** The active workflow's static data as n8n's database holds it. */
	private saved: IDataObject = {};

	/** The static data n8n keeps with the editor's test registration, once create succeeded. */
	private testRegistration: IDataObject | undefined;

	private readonly inFlight = new Set<Promise<void>>();

	constructor(private readonly options: TriggerHarnessOptions) {
		this.credentials = options.credentials;
		this.workflows = { trigger: this.newWorkflow({}), manual: this.newWorkflow({}) };
	}

	get workflowId(): string {
		return this.options.workflowId;
	}

	node(mode: TriggerMode): INode {
		const node = this.workflows[mode].getNode(TRIGGER_NAME);
		if (!node) throw new Error('The trigger node is missing');
		return node;
	}

	/** The node's static data in this mode, as webhookMethods and webhook() see it. */
	staticData(mode: TriggerMode): IDataObject {
		return this.workflows[mode].getStaticData('node', this.node(mode));
	}

	/**
	 * Throws when any static data n8n holds for this workflow (the active one, what its database
	 * saved, the editor's copy and its test registration) has, in a key or a value, one of these
	 * strings: the secrets that must never be stored, since n8n copies static data into every
	 * execution it stores. The message names where, never the string.
	 */
	expectStaticDataFreeOf(secrets: string[]): void {
		const held: Record<string, IDataObject | undefined> = {
			trigger: this.workflows.trigger.staticData,
			saved: this.saved,
			manual: this.workflows.manual.staticData,
			testRegistration: this.testRegistration,
		};
		for (const [where, data] of Object.entries(held)) {
			const text = JSON.stringify(data ?? {});
			const index = secrets.findIndex((secret) => secret !== '' && text.includes(secret));
			if (index >= 0) throw new Error(`The ${where} static data holds secret #${index}`);
		}
	}

	async start(): Promise<this> {
		const server = createServer((req, res) => this.track(this.receive(req, res)));
		server.listen(0, '127.0.0.1');
		await once(server, 'listening');
		this.server = server;
		return this;
	}

	async close(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (!server) return;
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	get origin(): string {
		const address = this.server?.address() as AddressInfo | null;
		if (!address) throw new Error('The webhook server is not running');
		return `http://127.0.0.1:${address.port}`;
	}

	/** The URL n8n gives the node's "default" webhook in this mode (its real implementation). */
	webhookUrl(mode: TriggerMode): string {
		const context = this.hookContext(mode);
		const url = context.getNodeWebhookUrl('default');
		if (!url) throw new Error('n8n gave no webhook URL');
		return url;
	}

	/** One of the node's webhookMethods, called as n8n's WebhookService calls it. */
	async run(
		method: WebhookMethod,
		mode: TriggerMode,
		context: { mode: WorkflowExecuteMode; activation: WorkflowActivateMode } = {
			mode,
			activation: mode === 'manual' ? 'manual' : 'activate',
		},
	): Promise<boolean> {
		const fn = this.nodeType.webhookMethods.default[method];
		return await fn.call(this.hookContext(mode, context.mode, context.activation));
	}

	/**
	 * What n8n does when the workflow is activated ('trigger': ActiveWorkflowManager) or the editor
	 * starts listening ('manual': TestWebhooks): checkExists, then create; on failure its clean-up
	 * (deactivate) and the error; on success the static data kept (saved to the database when
	 * changed, or with the test registration).
	 */
	async activate(mode: TriggerMode): Promise<void> {
		if (mode === 'manual') {
			this.workflows.manual = this.newWorkflow({});
			this.testRegistration = undefined;
		}
		try {
			if (!(await this.run('checkExists', mode))) await this.run('create', mode);
		} catch (error) {
			await this.deactivate(mode).catch(() => undefined);
			throw error;
		}
		if (mode === 'trigger') this.save();
		else this.testRegistration = copy(this.workflows.manual.staticData);
	}

	/**
	 * What n8n does when the workflow is deactivated (or the editor stops listening): a workflow
	 * loaded with the static data n8n kept, delete in mode 'internal', the static data saved.
	 */
	async deactivate(mode: TriggerMode): Promise<boolean> {
		if (mode === 'trigger') this.workflows.trigger = this.newWorkflow(copy(this.saved));
		else if (this.testRegistration) this.workflows.manual.staticData = this.testRegistration;
		const deleted = await this.run('delete', mode, { mode: 'internal', activation: 'update' });
		if (mode === 'trigger') this.save();
		else this.testRegistration = undefined;
		return deleted;
	}

	/**
	 * n8n restarted: the same workflow, loaded again with the static data it saved in its database;
	 * the node's in-memory state is gone.
	 */
	restart(): void {
		this.workflows.trigger = this.newWorkflow(copy(this.saved));
	}

	/** Posts to the node's URL from outside, as anyone on the network could. */
	async post(mode: TriggerMode, body: unknown, headers: Record<string, string> = {}) {
		const response = await fetch(this.webhookUrl(mode), {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', ...headers },
			body: JSON.stringify(body),
		});
		return { status: response.status, body: (await response.json()) as unknown };
	}

	/** Resolves once every request received so far has been answered. */
	async settled(): Promise<void> {
		while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
	}

	private newWorkflow(staticData: IDataObject): Workflow {
		const node: INode = {
			id: this.options.nodeId ?? 'trigger-node',
			name: TRIGGER_NAME,
			type: TRIGGER_TYPE,
			typeVersion: this.options.typeVersion ?? 1,
			position: [0, 0],
			webhookId: `webhook-${this.options.workflowId}`,
			parameters: this.options.parameters ?? {},
			credentials: { ryzeApi: { id: 'ryzeApi-1', name: 'RyzeAPI test' } },
		};
		return new Workflow({
			id: this.options.workflowId,
			nodes: [node],
			connections: {},
			active: true,
			nodeTypes: new TestNodeTypes({ [TRIGGER_TYPE]: this.nodeType }),
			staticData,
		});
	}

	private additionalData(extra: Partial<IWorkflowExecuteAdditionalData> = {}) {
		const origin = this.server ? this.origin : 'http://127.0.0.1:5678';
		return {
			credentialsHelper: new TestCredentialsHelper({ ryzeApi: this.credentials }),
			currentNodeParameters: undefined,
			executionTimeoutTimestamp: undefined,
			// As n8n builds them: no trailing slash (NodeHelpers adds one before the path).
			restApiUrl: `${origin}/rest`,
			instanceBaseUrl: `${origin}/`,
			webhookBaseUrl: `${origin}/webhook`,
			webhookWaitingBaseUrl: `${origin}/webhook-waiting`,
			webhookTestBaseUrl: `${origin}/webhook-test`,
			formWaitingBaseUrl: `${origin}/form-waiting`,
			variables: {},
			userId: 'test-user',
			...extra,
		} as unknown as IWorkflowExecuteAdditionalData;
	}

	private webhookData(mode: TriggerMode, additionalData: IWorkflowExecuteAdditionalData) {
		const description = this.nodeType.description.webhooks?.[0];
		if (!description) throw new Error('The trigger declares no webhook');
		return {
			httpMethod: 'POST',
			node: TRIGGER_NAME,
			path: String(description.path),
			webhookDescription: description,
			workflowId: this.options.workflowId,
			workflowExecuteAdditionalData: additionalData,
			webhookId: this.node(mode).webhookId,
			isTest: mode === 'manual',
		} as IWebhookData;
	}

	/** n8n's WorkflowStaticDataService: saved only when the static data says it changed. */
	private save(): void {
		const staticData = this.workflows.trigger.staticData as IDataObject & {
			__dataChanged?: boolean;
		};
		if (staticData.__dataChanged !== true) return;
		this.saved = copy(staticData);
		staticData.__dataChanged = false;
	}

	private hookContext(
		mode: TriggerMode,
		contextMode: WorkflowExecuteMode = mode,
		activation: WorkflowActivateMode = mode === 'manual' ? 'manual' : 'activate',
	): HookContext {
		const additionalData = this.additionalData();
		return new HookContext(
			this.workflows[mode],
			this.node(mode),
			additionalData,
			contextMode,
			activation,
			this.webhookData(mode, additionalData),
		);
	}

	private track(work: Promise<void>): void {
		this.inFlight.add(work);
		void work.finally(() => this.inFlight.delete(work));
	}

	/** n8n's webhook route: production under /webhook/ (mode 'webhook'), test under /webhook-test/. */
	private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const path = (req.url ?? '/').split('?')[0];
		const reception: Reception = {
			path,
			body: undefined,
			authorization: req.headers.authorization,
			status: 0,
			result: undefined,
		};
		this.received.push(reception);
		const registered: TriggerMode = path.startsWith('/webhook-test/') ? 'manual' : 'trigger';
		// n8n runs a production webhook in mode 'webhook', a test webhook in mode 'manual'.
		const mode: WorkflowExecuteMode = registered === 'manual' ? 'manual' : 'webhook';
		const expected = new URL(this.webhookUrl(registered)).pathname;
		const response = expressLike(res);
		if (path !== expected) {
			response.status(404).json({ message: 'The requested webhook is not registered.' });
			reception.status = 404;
			return;
		}
		try {
			reception.body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
		} catch {
			response.status(400).json({ message: 'The body is not JSON' });
			reception.status = 400;
			return;
		}
		// n8n's TestWebhooks rebuilds the workflow for each request, with the registration's static data.
		const workflow = registered === 'manual' ? this.newWorkflow({}) : this.workflows.trigger;
		if (registered === 'manual' && this.testRegistration)
			workflow.setTestStaticData(copy(this.testRegistration));
		const request = Object.assign(req, { body: reception.body, params: {}, query: {} });
		const additionalData = this.additionalData({
			httpRequest: request,
			httpResponse: response,
		} as unknown as Partial<IWorkflowExecuteAdditionalData>);
		const context = new WebhookContext(
			workflow,
			this.node(registered),
			additionalData,
			mode,
			this.webhookData(registered, additionalData),
			[],
			null,
		);
		try {
			reception.result = await this.nodeType.webhook.call(context);
		} catch (error) {
			reception.error = error;
			if (!res.headersSent) response.status(500).json({ message: 'Error in workflow' });
			reception.status = res.statusCode;
			return;
		}
		// responseMode "onReceived": n8n answers itself unless the node already did.
		if (!reception.result.noWebhookResponse && !res.headersSent)
			response.status(200).json({ message: 'Workflow was started' });
		reception.status = res.statusCode;
	}
}

/** The two methods of express's Response that the node uses, on node's own ServerResponse. */
function expressLike(res: ServerResponse) {
	return Object.assign(res, {
		status(code: number) {
			res.statusCode = code;
			return this;
		},
		json(body: unknown) {
			const text = JSON.stringify(body);
			res.setHeader('Content-Type', 'application/json; charset=utf-8');
			res.setHeader('Content-Length', Buffer.byteLength(text));
			res.end(text);
			return this;
		},
	});
}

/** Through JSON, as a database or a cache stores it. */
function copy(data: IDataObject): IDataObject {
	return JSON.parse(JSON.stringify(data)) as IDataObject;
}
