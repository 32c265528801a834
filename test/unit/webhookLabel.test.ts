/** trigger/label.ts: one label per trigger node, another while the editor listens. */
import fc from 'fast-check';

import { webhookLabel } from '../../nodes/RyzeApi/trigger/label';

/** Short enough for any dashboard column: the provider's labels are free-form. */
const MAX_LABEL_LENGTH = 64;

describe('webhookLabel', () => {
	const NODE = '7b2f0c1e-52e4-4a43-9d7e-0f1a2b3c4d5e';

	it('names the workflow, and differs for the editor listening', () => {
		const active = webhookLabel('AbC123xyZ9876543', NODE, false);
		const listening = webhookLabel('AbC123xyZ9876543', NODE, true);
		expect(active).toMatch(/^n8n-AbC123xyZ9876543-[0-9a-f]{10}$/);
		expect(listening).toMatch(/^n8n-test-AbC123xyZ9876543-[0-9a-f]{10}$/);
		expect(listening.slice(-10)).toBe(active.slice(-10));
	});

	it('is stable, and differs between nodes and between workflows', () => {
		const label = webhookLabel('wf1', NODE, false);
		expect(webhookLabel('wf1', NODE, false)).toBe(label);
		expect(webhookLabel('wf1', 'another-node', false)).not.toBe(label);
		expect(webhookLabel('wf2', NODE, false)).not.toBe(label);
	});

	it('keeps only safe characters of an odd workflow id, and names an unsaved one', () => {
		expect(webhookLabel('a b/c"d', NODE, false)).toMatch(/^n8n-abcd-[0-9a-f]{10}$/);
		expect(webhookLabel(undefined, NODE, false)).toMatch(/^n8n-unsaved-[0-9a-f]{10}$/);
		expect(webhookLabel('', NODE, true)).toMatch(/^n8n-test-unsaved-[0-9a-f]{10}$/);
	});

	it('property: starts with n8n-, is at most 64 characters, never "default"', () => {
		fc.assert(
			fc.property(
				fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
				fc.string(),
				fc.boolean(),
				(workflowId, nodeId, listening) => {
					const label = webhookLabel(workflowId, nodeId, listening);
					expect(label.startsWith(listening ? 'n8n-test-' : 'n8n-')).toBe(true);
					expect(label.length).toBeLessThanOrEqual(MAX_LABEL_LENGTH);
					expect(label).toMatch(/^[A-Za-z0-9_-]+$/);
					expect(label).not.toBe(webhookLabel(workflowId, nodeId, !listening));
				},
			),
			{ numRuns: 500, seed: 20250117 },
		);
	});
});
