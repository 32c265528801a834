/**
 * Polls until `check` returns something other than undefined, and returns it; past the deadline,
 * fails saying what was awaited and what the last check saw. For what arrives over the network
 * at its own pace (a delivery, an execution): a bounded wait, never a fixed sleep.
 */
export async function waitFor<T>(
	what: string,
	check: () => Promise<T | undefined> | T | undefined,
	{
		timeoutMs = 30_000,
		everyMs = 200,
		lastSeen,
	}: { timeoutMs?: number; everyMs?: number; lastSeen?: () => string } = {},
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const result = await check();
		if (result !== undefined) return result;
		if (Date.now() >= deadline)
			throw new Error(
				`Waited ${timeoutMs / 1000} s for ${what}${lastSeen ? `; last seen: ${lastSeen()}` : ''}`,
			);
		await new Promise((done) => setTimeout(done, everyMs));
	}
}
