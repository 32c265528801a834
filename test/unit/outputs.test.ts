/**
 * The node's outputs: which output each kind of item leaves on, in every mode and version, and
 * that n8n's evaluation of the description's outputs expression gives exactly what execute routes by.
 */
import fc from 'fast-check';
import type { INode, INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import type { NodeOutput, OutputKey } from '../../nodes/RyzeApi/actions/outputs';
import { nodeOutputs, outputLayout } from '../../nodes/RyzeApi/actions/outputs';
import { RyzeApi } from '../../nodes/RyzeApi/RyzeApi.node';

const labels = (outputs: NodeOutput[]) => outputs.map((output) => output.displayName);

/** The output an item of this kind leaves on, as execute lays the outputs out (not as a tool). */
const outputIndex = (outputs: NodeOutput[], key: OutputKey) =>
	outputLayout(outputs, false).indexOf[key];

describe('nodeOutputs', () => {
	test.each([
		[1.1, 'success', ['Success', 'Failed']],
		[1.1, 'separate', ['Success', 'Failed', 'Pending']],
		[1, 'success', ['Success', 'Failed']],
		[1, 'separate', ['Joined', 'Pending', 'Failed']],
	] as const)('version %s, pending approvals on %s: %j', (version, mode, expected) => {
		const parameters =
			version === 1
				? { operation: 'join', options: { pendingApprovalOutput: mode } }
				: { operation: 'join', pendingApprovalOutput: mode };
		expect(labels(nodeOutputs(parameters, version))).toEqual(expected);
	});

	test('from version 1.1 every output keeps its index in every mode: success 0, error 1, pending 2', () => {
		const kinds: OutputKey[] = ['success', 'error', 'pendingApproval'];
		fc.assert(
			fc.property(
				fc.constantFrom<unknown>('success', 'separate', undefined, null, '', 'SEPARATE', 7),
				fc.constantFrom<unknown>('success', 'separate', undefined, null, '', 'SEPARATE', 7),
				fc.constantFrom(1.1, 1.2, 2, undefined),
				(before, after, version) => {
					const a = nodeOutputs({ pendingApprovalOutput: before }, version);
					const b = nodeOutputs({ pendingApprovalOutput: after }, version);
					for (const kind of kinds) {
						const [inA, inB] = [a, b].map((outputs) =>
							outputs.findIndex((output) => output.key === kind),
						);
						// An output present in both modes is at the same index in both.
						if (inA !== -1 && inB !== -1) expect(inA).toBe(inB);
					}
					expect(outputIndex(a, 'success')).toBe(0);
					expect(outputIndex(a, 'error')).toBe(1);
				},
			),
		);
	});

	test('from version 1.1 an output has one name in every mode and operation: Success, Failed, Pending', () => {
		const names: Record<OutputKey, string> = {
			success: 'Success',
			error: 'Failed',
			pendingApproval: 'Pending',
			deferred: 'Deferred',
		};
		for (const operation of ['join', 'preview', 'leave'])
			for (const mode of ['success', 'separate'])
				for (const output of nodeOutputs({ operation, pendingApprovalOutput: mode }, 1.1))
					expect(output.displayName).toBe(names[output.key]);
	});

	test('version 1 keeps the order it had in 0.1.0, so saved workflows do not rewire', () => {
		const separate = nodeOutputs({ options: { pendingApprovalOutput: 'separate' } }, 1);
		expect(separate.map((output) => output.key)).toEqual(['success', 'pendingApproval', 'error']);
		// Version 1 reads only its option inside Options.
		expect(labels(nodeOutputs({ pendingApprovalOutput: 'separate' }, 1))).toEqual([
			'Success',
			'Failed',
		]);
	});

	test('no output of ours is named "Error", the name n8n gives its own error output', () => {
		fc.assert(
			fc.property(
				fc.record({
					operation: fc.constantFrom<unknown>('join', undefined, 'preview', 'leave', 3),
					pendingApprovalOutput: fc.constantFrom<unknown>('success', 'separate', undefined),
					options: fc.constantFrom<unknown>(
						{},
						{ pendingApprovalOutput: 'separate' },
						null,
						'x',
						undefined,
					),
				}),
				fc.constantFrom<unknown>(1, 1.1, undefined, '1'),
				(parameters, version) => {
					const outputs = nodeOutputs(parameters, version);
					expect(labels(outputs)).not.toContain('Error');
					expect(new Set(labels(outputs)).size).toBe(outputs.length);
					expect(outputs[outputIndex(outputs, 'success')].key).toBe('success');
				},
			),
		);
	});

	test('pending approvals go to Success when they have no output of their own', () => {
		const outputs = nodeOutputs({ pendingApprovalOutput: 'success' }, 1.1);
		expect(outputIndex(outputs, 'pendingApproval')).toBe(0);
		expect(
			outputIndex(nodeOutputs({ pendingApprovalOutput: 'separate' }, 1.1), 'pendingApproval'),
		).toBe(2);
	});
});

describe("the description's outputs expression, as n8n evaluates it", () => {
	const description = new RyzeApi().description;

	function outputsInN8n(
		parameters: INode['parameters'],
		typeVersion: number,
		onError?: INode['onError'],
	) {
		const node: INode = {
			id: 'r',
			name: 'RyzeAPI',
			type: 'n8n-nodes-ryzeapi.ryzeApi',
			typeVersion,
			position: [0, 0],
			parameters,
			...(onError ? { onError } : {}),
		};
		const nodeType = { description };
		const nodeTypes = {
			getByName: () => nodeType,
			getByNameAndVersion: () => nodeType,
			getKnownTypes: () => ({}),
		};
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		return NodeHelpers.getNodeOutputs(workflow, node, description as INodeTypeDescription);
	}

	test.each([
		[1.1, { operation: 'join', pendingApprovalOutput: 'separate' }],
		[1.1, { operation: 'join', pendingApprovalOutput: 'success' }],
		[1.1, { operation: 'join' }],
		[1, { operation: 'join', options: { pendingApprovalOutput: 'separate' } }],
		[1, { operation: 'join', options: {} }],
		[1.1, { operation: 'preview', pendingApprovalOutput: 'separate' }],
		[1.1, { operation: 'leave' }],
		[1, { operation: 'leave', options: { pendingApprovalOutput: 'separate' } }],
	])('version %s, %j: what n8n draws is what execute routes by', (version, parameters) => {
		expect(outputsInN8n(parameters, version)).toEqual(nodeOutputs(parameters, version));
	});

	test('with On Error = "Continue (using error output)", every output has its own name', () => {
		const outputs = outputsInN8n(
			{ operation: 'join', pendingApprovalOutput: 'separate' },
			1.1,
			'continueErrorOutput',
		);
		expect(
			outputs.map((output) => (typeof output === 'string' ? output : output.displayName)),
		).toEqual(['Success', 'Failed', 'Pending', 'Error']);
	});
});

describe('the output-layout parameters in the editor', () => {
	const description = new RyzeApi().description as INodeTypeDescription;
	// n8n's tool variant of a node is its description under the name plus "Tool".
	const asTool = { ...description, name: `${description.name}Tool` };
	const join = { resource: 'group', operation: 'join', pendingApprovalOutput: 'success' };
	const node = (typeVersion: number): INode => ({
		id: 'r',
		name: 'RyzeAPI',
		type: 'n8n-nodes-ryzeapi.ryzeApi',
		typeVersion,
		position: [0, 0],
		parameters: join,
	});
	const topLevel = (name: string) =>
		description.properties.find((property) => property.name === name)!;
	const versionOneOption = description.properties
		.filter((property) => property.name === 'options' && property.type === 'collection')
		.flatMap((property) => property.options ?? [])
		.find(
			(option) => 'name' in option && option.name === 'pendingApprovalOutput',
		) as INodeProperties;

	const shown = (
		property: INodeProperties,
		typeVersion: number,
		nodeTypeDescription: INodeTypeDescription | null,
		values: INode['parameters'] = join,
	) => NodeHelpers.displayParameter(values, property, node(typeVersion), nodeTypeDescription, join);

	test.each(['pendingApprovalOutput', 'pendingOnSuccessNotice'])(
		'%s: shown on the node, hidden on its AI tool variant, shown by an n8n that cannot tell',
		(name) => {
			const property = topLevel(name);
			expect(shown(property, 1.1, description)).toBe(true);
			expect(shown(property, 1.1, asTool)).toBe(false);
			// Without the description (or in an n8n that reads '@tool' as an unset parameter) '@tool'
			// is not true, so nothing is hidden that was shown before.
			expect(shown(property, 1.1, null)).toBe(true);
		},
	);

	test("version 1's Pending Approval Output option: the same", () => {
		expect(versionOneOption).toBeDefined();
		expect(shown(versionOneOption, 1, description, {})).toBe(true);
		expect(shown(versionOneOption, 1, asTool, {})).toBe(false);
		expect(shown(versionOneOption, 1, null, {})).toBe(true);
	});
});
