/** Callbacks waiting for something to change; `wakeAll` calls each of them once. */
export class Waiters {
	private readonly waiting = new Set<() => void>();

	add(wake: () => void): void {
		this.waiting.add(wake);
	}

	delete(wake: () => void): void {
		this.waiting.delete(wake);
	}

	/** Resolves at the next wakeAll. */
	async next(): Promise<void> {
		await new Promise<void>((resolve) => this.add(resolve));
	}

	wakeAll(): void {
		if (this.waiting.size === 0) return;
		const waiting = [...this.waiting];
		this.waiting.clear();
		for (const wake of waiting) wake();
	}
}
