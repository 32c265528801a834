/**
 * FixedWindow: the emulator's model of the provider's rate limit (test/support/emulator), which
 * the TokenBudget simulations drive too: `limit` per aligned window, only accepted requests count.
 */
import { FixedWindow } from '../support/emulator/fixedWindow';

/** 2026-01-01T00:00:00Z, a multiple of every window length used here. */
const T0 = 1_767_225_600_000;

describe('FixedWindow', () => {
	test('allows `limit` requests per window, then refuses without counting the refused ones', () => {
		const window = new FixedWindow(2, 10_000);
		expect(window.take(T0 + 1_000)).toEqual({
			allowed: true,
			limit: 2,
			remaining: 1,
			resetAtMs: T0 + 10_000,
			resetAtSeconds: (T0 + 10_000) / 1000,
		});
		expect(window.take(T0 + 2_000)).toMatchObject({ allowed: true, remaining: 0 });
		expect(window.take(T0 + 3_000)).toMatchObject({ allowed: false, remaining: 0 });
		expect(window.peek(T0 + 9_999)).toMatchObject({ remaining: 0, resetAtMs: T0 + 10_000 });
	});

	test('starts afresh at the next multiple of the window length', () => {
		const window = new FixedWindow(1, 10_000);
		expect(window.take(T0 + 9_999).allowed).toBe(true);
		expect(window.take(T0 + 10_000)).toMatchObject({ allowed: true, resetAtMs: T0 + 20_000 });
		expect(window.peek(T0 + 25_000)).toMatchObject({ remaining: 1, resetAtMs: T0 + 30_000 });
		expect(window.windowOf(T0 + 25_000)).toBe((T0 + 20_000) / 10_000);
	});

	test('announces the reset in whole seconds, rounded up, when the window is not', () => {
		const window = new FixedWindow(5, 1_500);
		expect(window.take(T0 + 100).resetAtSeconds).toBe(Math.ceil((T0 + 1_500) / 1000));
	});
});
