/**
 * The events one trigger has started an execution for lately, to let a redelivery of the same
 * event through once only. RyzeAPI retries a delivery it thinks failed and its envelope carries no
 * id, so the same content arriving again within the window is taken for a redelivery.
 *
 * In memory, per n8n process: nothing is written to the database for each event, and a restart
 * forgets. With several webhook processes (queue mode, a load balancer in front), each process
 * remembers only what it received itself, so a redelivery that lands on another process starts
 * a second execution: deduplication here is best effort, and a workflow that must never act twice
 * should also check in its own store.
 */
export const DEDUPE_WINDOW_MS = 10 * 60_000;
export const DEDUPE_MAX_KEYS = 10_000;

export class RecentDeliveries {
	/** Key → when it was first let through. Map order is insertion order: the oldest come first. */
	private readonly seenAt = new Map<string, number>();

	constructor(
		private readonly now: () => number = Date.now,
		private readonly windowMs: number = DEDUPE_WINDOW_MS,
		private readonly maxKeys: number = DEDUPE_MAX_KEYS,
	) {}

	/** True when the key was let through within the window (a duplicate); else remembers it now. */
	isDuplicate(key: string): boolean {
		const now = this.now();
		this.forgetOlderThan(now - this.windowMs);
		const seen = this.seenAt.get(key);
		if (seen !== undefined && now - seen < this.windowMs) return true;
		// Re-inserted so the map stays ordered by time.
		this.seenAt.delete(key);
		this.seenAt.set(key, now);
		// Past the bound the oldest go first: a very busy trigger may then let a late redelivery through.
		while (this.seenAt.size > this.maxKeys) {
			const oldest = this.seenAt.keys().next().value as string;
			this.seenAt.delete(oldest);
		}
		return false;
	}

	get size(): number {
		return this.seenAt.size;
	}

	private forgetOlderThan(limit: number): void {
		for (const [key, seenAt] of this.seenAt) {
			if (seenAt > limit) return;
			this.seenAt.delete(key);
		}
	}
}
