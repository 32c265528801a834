/**
 * Runs the RyzeAPI node inside n8n's real execution engine (n8n-core's WorkflowExecute), in
 * process: a two-node workflow, "Rows" (items supplied by the test) → "RyzeAPI", with the
 * node's real parameters, expressions, credentials lookup and output routing.
 */
import { Container } from '@n8n/di';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRun,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	ExecutionError,
} from 'n8n-workflow';
import {
	createRunExecutionData,
	ICredentialsHelper,
	NodeConnectionTypes,
	Workflow,
} from 'n8n-workflow';

export const NODE_TYPE = 'n8n-nodes-ryzeapi.ryzeApi';
const ROWS_TYPE = 'test.rows';
export const NODE_NAME = 'RyzeAPI';

/** Gives the "Rows" node its items without passing thousands of rows through a parameter. */
const datasets = new Map<string, INodeExecutionData[]>();
let nextDatasetId = 0;

class RowsNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Rows',
		name: ROWS_TYPE,
		group: ['input'],
		version: 1,
		description: 'Emits the rows a test gave it',
		defaults: { name: 'Rows' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Dataset', name: 'dataset', type: 'string', default: '' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const id = this.getNodeParameter('dataset', 0) as string;
		return [datasets.get(id) ?? []];
	}
}

export class TestNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType | IVersionedNodeType>) {}

	getByName(name: string): INodeType | IVersionedNodeType {
		const type = this.types[name];
		if (!type) throw new Error(`Unknown node type ${name}`);
		return type;
	}

	getByNameAndVersion(name: string, version?: number): INodeType {
		const type = this.getByName(name);
		return 'nodeVersions' in type ? type.getNodeType(version) : type;
	}

	getKnownTypes() {
		return {};
	}
}

export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly credentials: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		_credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		requestOptions: never,
	) {
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by these tests');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: unknown,
		type: string,
	) {
		const credentials = this.credentials[type];
		if (!credentials) throw new Error(`No test credentials of type ${type}`);
		return credentials;
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties() {
		return [];
	}
}

export interface RunOptions {
	/** The node class to run (the compiled one from dist, or the TypeScript source). */
	nodeType: INodeType;
	items: IDataObject[] | INodeExecutionData[];
	parameters: INodeParameters;
	credentials: ICredentialDataDecryptedObject;
	/** n8n's node settings: "On Error" and the older "Continue On Fail". */
	settings?: Pick<
		INode,
		'onError' | 'continueOnFail' | 'retryOnFail' | 'maxTries' | 'waitBetweenTries'
	>;
	/** Called with the running execution, e.g. to cancel it. */
	onStart?: (execution: { cancel(): void }) => void;
	/** The node's typeVersion in the workflow; BEFORE_JOIN_LEDGER when not given. */
	typeVersion?: number;
}

/**
 * The version runRyzeApiNode runs unless told: 1.1, the node as workflows saved before the join
 * ledger keep it. The suites of the ledger (1.2, the newest) ask for it by name.
 */
export const BEFORE_JOIN_LEDGER = 1.1;

export interface RunResult {
	/** The node's outputs, one array per output; undefined when the node failed. */
	outputs: INodeExecutionData[][] | undefined;
	error: ExecutionError | undefined;
	status: IRun['status'];
	run: IRun;
}

export async function runRyzeApiNode(options: RunOptions): Promise<RunResult> {
	return await runNode({
		...options,
		typeName: NODE_TYPE,
		typeVersion: options.typeVersion ?? BEFORE_JOIN_LEDGER,
		credentials: { ryzeApi: options.credentials },
	});
}

/** The newest typeVersion the node declares: what the editor puts in a new workflow. */
export function newestVersion(nodeType: INodeType): number {
	const { version } = nodeType.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

export interface NodeRunOptions extends Omit<RunOptions, 'nodeType' | 'credentials'> {
	nodeType: INodeType | IVersionedNodeType;
	typeName: string;
	typeVersion: number;
	/** Decrypted credentials by credential type name. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
}

/** Runs "Rows" → the given node in n8n's engine; the node is named NODE_NAME. */
export async function runNode(options: NodeRunOptions): Promise<RunResult> {
	const dataset = String(nextDatasetId++);
	datasets.set(
		dataset,
		options.items.map((item) =>
			'json' in item && typeof item.json === 'object'
				? (item as INodeExecutionData)
				: { json: item as IDataObject },
		),
	);
	try {
		const nodes: INode[] = [
			{
				id: 'rows',
				name: 'Rows',
				type: ROWS_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters: { dataset },
			},
			{
				id: 'ryzeapi',
				name: NODE_NAME,
				type: options.typeName,
				typeVersion: options.typeVersion,
				position: [200, 0],
				parameters: options.parameters,
				credentials: Object.fromEntries(
					Object.keys(options.credentials).map((type) => [
						type,
						{ id: `${type}-1`, name: `${type} test` },
					]),
				),
				...options.settings,
			},
		];
		const workflow = new Workflow({
			id: 'test-workflow',
			nodes,
			connections: { Rows: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } },
			active: false,
			nodeTypes: new TestNodeTypes({
				[options.typeName]: options.nodeType,
				[ROWS_TYPE]: new RowsNode(),
			}),
		});

		// One id per run, as n8n gives each execution its own.
		const executionId = `test-execution-${dataset}`;
		const hooks = new ExecutionLifecycleHooks('manual', executionId, {
			id: 'test-workflow',
			name: 'test',
			active: false,
			isArchived: false,
			nodes,
			connections: {},
			createdAt: new Date(),
			updatedAt: new Date(),
			activeVersionId: null,
		});
		const additionalData = {
			hooks,
			executionId,
			credentialsHelper: new TestCredentialsHelper(options.credentials),
			currentNodeParameters: undefined,
			executionTimeoutTimestamp: undefined,
			restApiUrl: 'http://127.0.0.1:5678/rest',
			instanceBaseUrl: 'http://127.0.0.1:5678/',
			webhookBaseUrl: 'http://127.0.0.1:5678/webhook/',
			webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting/',
			webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test/',
			formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting/',
			variables: {},
			userId: 'test-user',
		} as unknown as IWorkflowExecuteAdditionalData;

		const runExecutionData = createRunExecutionData({
			executionData: {
				nodeExecutionStack: [{ node: nodes[0], data: { main: [[{ json: {} }]] }, source: null }],
			},
		});

		const execution = new WorkflowExecute(
			additionalData,
			'manual',
			runExecutionData,
		).processRunExecutionData(workflow);
		options.onStart?.(execution);
		let run: IRun;
		try {
			run = await execution;
		} catch (error) {
			// A cancelled execution rejects; its data is still what the engine kept.
			if (!(error instanceof Error && error.name === 'CancelError')) throw error;
			return {
				outputs: undefined,
				error: undefined,
				status: 'canceled',
				run: { status: 'canceled' } as IRun,
			};
		}
		const taskData = run.data.resultData.runData[NODE_NAME]?.[0];
		return {
			outputs: taskData?.data?.main as INodeExecutionData[][] | undefined,
			error: run.data.resultData.error,
			status: run.status,
			run,
		};
	} finally {
		datasets.delete(dataset);
	}
}

/** Stops the engine's background timers so jest can exit; call once in afterAll. */
export function shutDownEngine(): void {
	Container.get(SSHClientsManager).onShutdown();
}
