import { Waiters } from './waiters';

/**
 * The tasks of a run, handed over while the items are still being read, so that reading (n8n's
 * expression evaluation) overlaps the requests instead of delaying the first one.
 */
export class TaskFeed<Task> {
	readonly tasks: Task[] = [];
	private closed = false;
	private stopped = false;
	private readonly waiters = new Waiters();

	push(task: Task): number {
		const index = this.tasks.push(task) - 1;
		this.waiters.wakeAll();
		return index;
	}

	/** No more tasks will come; those pushed are still run. */
	close(): void {
		this.closed = true;
		this.waiters.wakeAll();
	}

	/** No task not yet taken will be run. */
	stop(): void {
		this.stopped = true;
		this.close();
	}

	/** The task at `index` once pushed; undefined when none will come. */
	async at(index: number): Promise<Task | undefined> {
		while (!this.stopped && index >= this.tasks.length) {
			if (this.closed) return undefined;
			await this.waiters.next();
		}
		return this.stopped ? undefined : this.tasks[index];
	}
}
