/**
 * WhatsApp restricting a number that joins too many groups too fast, as the emulator plays it:
 * after `afterJoins` join requests of one instance within `windowMs`, every further join of that
 * instance is refused for `forMs`. What RyzeAPI answers then is not published (its words, its
 * status), so both are options; the defaults use the words whatsmeow and Baileys report
 * (`account_reachout_restricted`). `throttle` answers WhatsApp's `rate-overlimit` instead.
 */
export interface RestrictionOptions {
	afterJoins: number;
	windowMs: number;
	/** The answer's status (default 403) and message (default names account_reachout_restricted). */
	status?: number;
	message?: string;
	/** How long the number stays restricted (default 24 hours). */
	forMs?: number;
}

export const DEFAULT_RESTRICTION_MESSAGE =
	'failed to join group: account_reachout_restricted (this account is restricted from joining groups)';

export class RestrictionModel {
	private readonly joins = new Map<string, number[]>();
	private readonly restrictedUntil = new Map<string, number>();

	/**
	 * A join request of the instance at `nowMs`: undefined when WhatsApp lets it through (it is
	 * counted), else the refusal the emulator answers with.
	 */
	refusal(
		options: RestrictionOptions | false,
		instance: string,
		nowMs: number,
	): { status: number; message: string } | undefined {
		if (!options) return undefined;
		const refused = {
			status: options.status ?? 403,
			message: options.message ?? DEFAULT_RESTRICTION_MESSAGE,
		};
		if ((this.restrictedUntil.get(instance) ?? -Infinity) > nowMs) return refused;
		const recent = (this.joins.get(instance) ?? []).filter((at) => at > nowMs - options.windowMs);
		if (recent.length >= options.afterJoins) {
			this.restrictedUntil.set(instance, nowMs + (options.forMs ?? 24 * 3_600_000));
			this.joins.set(instance, recent);
			return refused;
		}
		recent.push(nowMs);
		this.joins.set(instance, recent);
		return undefined;
	}

	/** The restriction lifts (the control route), and the count starts again. */
	lift(instance: string): boolean {
		this.joins.delete(instance);
		return this.restrictedUntil.delete(instance);
	}

	isRestricted(instance: string, nowMs: number): boolean {
		return (this.restrictedUntil.get(instance) ?? -Infinity) > nowMs;
	}

	reset(): void {
		this.joins.clear();
		this.restrictedUntil.clear();
	}
}
