/**
 * The RyzeAPI Polling Trigger's poll() in n8n-core's own PollContext, on a Workflow of
 * n8n-workflow: the credentials, the parameters, the mode and the node's static data are n8n's
 * real implementations. As n8n does (ActiveWorkflows.activatePolling), an active workflow
 * ('trigger') keeps one Workflow and one PollContext between polls of an activation and saves its
 * static data when it says it changed; `reactivate` starts another activation from what was saved.
 * The editor's test fetch ('manual') polls a copy loaded from what was saved, and saves nothing.
 */
import { PollContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { RyzeApiPollingTrigger } from '../../nodes/RyzeApi/RyzeApiPollingTrigger.node';
import { TestCredentialsHelper, TestNodeTypes } from './engine';

export const POLL_TYPE = 'n8n-nodes-ryzeapi.ryzeApiPollingTrigger';
export const POLL_NAME = 'RyzeAPI Polling Trigger';

export type PollMode = 'trigger' | 'manual';

export interface PollHarnessOptions {
	workflowId: string;
	/** Decrypted credentials by type: `ryzeApi`, and `redis` when the ledger is in one. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	parameters?: INodeParameters;
}

export class PollHarness {
	readonly nodeType = new RyzeApiPollingTrigger();

	/** Replaced between polls to play a user editing the credential. */
	credentials: Record<string, ICredentialDataDecryptedObject>;

	/** The active workflow, as n8n's ActiveWorkflows keeps it between polls. */
	private active: Workflow;

	/** The poll context of this activation: n8n makes one per activation, not per poll. */
	private context: PollContext | undefined;

	/** Why the workflow was activated: the user ('activate'), n8n starting ('init'), a save ('update'). */
	private activation: 'activate' | 'init' | 'update' = 'activate';

	/** The static data as n8n's database holds it. */
	private saved: IDataObject = {};

	/** The copy the last 'manual' poll ran on (n8n saves no static data of a manual run). */
	private manual: Workflow | undefined;

	constructor(private readonly options: PollHarnessOptions) {
		this.credentials = options.credentials;
		this.active = this.newWorkflow({});
	}

	/**
	 * One poll: 'trigger' on the active workflow (its static data saved when changed), 'manual'
	 * on a copy loaded from the saved static data, as the editor's test fetch does.
	 */
	async poll(mode: PollMode = 'trigger'): Promise<INodeExecutionData[][] | null> {
		let context: PollContext;
		if (mode === 'trigger') {
			context = this.context ??= new PollContext(
				this.active,
				nodeOf(this.active),
				this.additionalData(),
				'trigger',
				this.activation,
			);
		} else {
			const workflow = this.newWorkflow(copy(this.saved));
			this.manual = workflow;
			context = new PollContext(
				workflow,
				nodeOf(workflow),
				this.additionalData(),
				'manual',
				'manual',
			);
		}
		try {
			return await this.nodeType.poll.call(context);
		} finally {
			if (mode === 'trigger') this.save();
		}
	}

	/** Another activation, as n8n makes one: the workflow loaded from what was saved, a new context. */
	reactivate(activation: 'activate' | 'init' | 'update'): void {
		this.active = this.newWorkflow(copy(this.saved));
		this.context = undefined;
		this.activation = activation;
	}

	/** The node's static data as n8n's database holds it after the last poll. */
	savedStaticData(): IDataObject {
		return copy(this.saved);
	}

	/** The static data of the last 'manual' poll's copy, as the poll left it (not saved by n8n). */
	manualStaticData(): IDataObject | undefined {
		return this.manual ? copy(this.manual.staticData) : undefined;
	}

	private save(): void {
		const staticData = this.active.staticData as IDataObject & { __dataChanged?: boolean };
		if (staticData.__dataChanged !== true) return;
		staticData.__dataChanged = false;
		this.saved = copy(staticData);
	}

	private newWorkflow(staticData: IDataObject): Workflow {
		const node: INode = {
			id: 'poll-node',
			name: POLL_NAME,
			type: POLL_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: this.options.parameters ?? {},
			credentials: Object.fromEntries(
				Object.keys(this.options.credentials).map((type) => [
					type,
					{ id: `${type}-1`, name: `${type} test` },
				]),
			),
		};
		return new Workflow({
			id: this.options.workflowId,
			nodes: [node],
			connections: {},
			active: true,
			nodeTypes: new TestNodeTypes({ [POLL_TYPE]: this.nodeType }),
			staticData,
		});
	}

	private additionalData(): IWorkflowExecuteAdditionalData {
		return {
			// Read at each lookup, as n8n reads the database: a credential edited between polls counts.
			credentialsHelper: new TestCredentialsHelper(
				new Proxy({} as Record<string, ICredentialDataDecryptedObject>, {
					get: (_target, type) => this.credentials[type as string],
				}),
			),
			currentNodeParameters: undefined,
			executionTimeoutTimestamp: undefined,
			restApiUrl: 'http://127.0.0.1:5678/rest',
			instanceBaseUrl: 'http://127.0.0.1:5678/',
			webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
			formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
			variables: {},
			userId: 'test-user',
		} as unknown as IWorkflowExecuteAdditionalData;
	}
}

function nodeOf(workflow: Workflow): INode {
	const node = workflow.getNode(POLL_NAME);
	if (!node) throw new Error('The polling trigger node is missing');
	return node;
}

/** Through JSON, as a database stores it. */
function copy(data: IDataObject): IDataObject {
	return JSON.parse(JSON.stringify(data)) as IDataObject;
}
