import { clock } from './clock';

/**
 * A map whose entries expire `ttlMs` after they were set and which never holds more than
 * `maxEntries` (the oldest go first): the one shape of per-process memory the nodes keep (a
 * refused token per execution, the trigger's recent deliveries), so none of it grows without end.
 * Reads the time from the clock seam.
 */
export class ExpiringMap<K, V> {
	/** Map order is insertion order: a set re-inserts, so the oldest entry always comes first. */
	private readonly entries = new Map<K, { setAt: number; value: V }>();

	constructor(
		private readonly ttlMs: number,
		private readonly maxEntries: number,
	) {}

	get(key: K): V | undefined {
		const entry = this.entries.get(key);
		if (entry === undefined) return undefined;
		if (clock().now() - entry.setAt < this.ttlMs) return entry.value;
		this.entries.delete(key);
		return undefined;
	}

	has(key: K): boolean {
		return this.get(key) !== undefined;
	}

	set(key: K, value: V): void {
		const now = clock().now();
		this.entries.delete(key);
		this.entries.set(key, { setAt: now, value });
		for (const [oldest, entry] of this.entries) {
			if (this.entries.size <= this.maxEntries && now - entry.setAt < this.ttlMs) break;
			this.entries.delete(oldest);
		}
	}

	get size(): number {
		return this.entries.size;
	}
}
