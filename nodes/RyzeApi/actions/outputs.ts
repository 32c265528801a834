import { isVersion1 } from './nodeVersion';

/** What leaves on an output: the node routes each item by this key, never by a position. */
export type OutputKey = 'success' | 'error' | 'pendingApproval' | 'deferred';

export interface NodeOutput {
	type: 'main';
	/** The label on the canvas: short, so it fits beside the node. */
	displayName: string;
	key: OutputKey;
}

/** The parameters the outputs depend on (as n8n's `$parameter` gives them). */
export interface OutputParameters {
	operation?: unknown;
	pendingApprovalOutput?: unknown;
	options?: unknown;
}

/**
 * The node's outputs, in order, from its parameters and type version. Pure, and self-contained on
 * purpose: its source text is also the node's `outputs` expression, which n8n evaluates in the
 * editor and the engine (as n8n's Switch node does), so the canvas and `execute` cannot disagree.
 * No imports, no module constants, nothing a sandboxed expression could not run.
 *
 * From version 1.1 an output keeps its index and its name in every mode (Success 0, Failed 1,
 * Pending 2; from 1.2 Join's Deferred 2 and Pending 3): a connection made in one mode receives the
 * same kind of item in the other, under the same label. Version 1 (0.1.0) keeps its own names and
 * order (Joined, Pending, Failed when separate), so saved workflows do not rewire.
 * Ours is "Failed", never "Error": n8n adds an output named Error when On Error is "Continue
 * (using error output)", and two outputs named alike cannot be told apart.
 */
export function nodeOutputs(parameters: OutputParameters, typeVersion: unknown): NodeOutput[] {
	const output = (key: NodeOutput['key'], displayName: string): NodeOutput => ({
		type: 'main',
		displayName,
		key,
	});
	const params = parameters !== null && typeof parameters === 'object' ? parameters : {};
	const operation = params.operation === undefined ? 'join' : params.operation;
	const version = typeof typeVersion === 'number' ? typeVersion : Infinity;
	switch (operation) {
		case 'join': {
			const options =
				params.options !== null && typeof params.options === 'object'
					? (params.options as { pendingApprovalOutput?: unknown })
					: {};
			const mode = version >= 1.1 ? params.pendingApprovalOutput : options.pendingApprovalOutput;
			const pending = mode === 'separate' ? [output('pendingApproval', 'Pending')] : [];
			// 1.2: joins the budget holds back leave on Deferred, before Pending, so no index moves.
			if (version >= 1.2) {
				return [
					output('success', 'Success'),
					output('error', 'Failed'),
					output('deferred', 'Deferred'),
					...pending,
				];
			}
			if (version >= 1.1)
				return [output('success', 'Success'), output('error', 'Failed'), ...pending];
			return mode === 'separate'
				? [output('success', 'Joined'), ...pending, output('error', 'Failed')]
				: [output('success', 'Success'), output('error', 'Failed')];
		}
		default:
			// Preview Invite, Leave Group: a new operation with other outputs adds its case above.
			return [output('success', 'Success'), output('error', 'Failed')];
	}
}

/**
 * The index an item of this kind leaves on. Pending approvals go to Success when they have no
 * output of their own.
 */
function outputIndex(outputs: readonly NodeOutput[], key: OutputKey): number {
	const index = outputs.findIndex((output) => output.key === key);
	if (index !== -1) return index;
	if (key === 'pendingApproval') return outputIndex(outputs, 'success');
	if (key === 'deferred') return outputIndex(outputs, 'error');
	throw new Error(`The node has no ${key} output`);
}

/** n8n's `outputs` expression for the node: nodeOutputs itself, run on the node's parameters. */
export const outputsExpression: `={{${string}}}` = `={{(${nodeOutputs.toString()})($parameter, $nodeVersion)}}`;

/** Output index of each kind of item, how many outputs there are, and what an item carries. */
export interface OutputLayout {
	count: number;
	indexOf: Record<OutputKey, number>;
	/** Items keep their input's fields and binary data; not as an AI tool, whose input is the chat's. */
	keepInput: boolean;
	/**
	 * On Error is "Continue (using error output)": a failure of what the node runs with (its
	 * credential, its instance) leaves on n8n's Error output, after ours; per-item failures stay on
	 * Failed.
	 */
	setupFailuresToN8nErrorOutput: boolean;
}

/**
 * Where each kind of item goes among the outputs the canvas shows. As an AI agent tool, everything
 * goes to the first output (n8n hands an agent only that one) and carries only the result.
 * `onError` is the node's On Error setting (`INode.onError`).
 */
export function outputLayout(
	outputs: readonly NodeOutput[],
	asAiTool: boolean,
	onError?: string,
	typeVersion?: number,
): OutputLayout {
	// Version 1 keeps its own: a tool's items with their input, setup failures on Failed.
	const version1 = isVersion1(typeVersion);
	if (asAiTool) {
		return {
			count: 1,
			indexOf: { success: 0, error: 0, pendingApproval: 0, deferred: 0 },
			keepInput: version1,
			setupFailuresToN8nErrorOutput: false,
		};
	}
	return {
		count: outputs.length,
		indexOf: {
			success: outputIndex(outputs, 'success'),
			error: outputIndex(outputs, 'error'),
			pendingApproval: outputIndex(outputs, 'pendingApproval'),
			deferred: outputIndex(outputs, 'deferred'),
		},
		keepInput: true,
		setupFailuresToN8nErrorOutput: !version1 && onError === 'continueErrorOutput',
	};
}

/** n8n runs a node connected to an agent under its type name plus "Tool" (as n8n-workflow tells tools apart). */
export function runsAsAiTool(nodeType: string): boolean {
	return nodeType.endsWith('Tool');
}
