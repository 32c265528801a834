/**
 * The events each trigger has started an execution for lately, to let a redelivery of the same
 * event through once only. RyzeAPI retries a delivery it thinks failed and its envelope carries no
 * id, so the same content arriving again within the window is taken for a redelivery.
 *
 * In memory, per n8n process: nothing is written to the database for each event, and a restart
 * forgets. With several webhook processes (queue mode, a load balancer in front), each process
 * remembers only what it received itself, so a redelivery that lands on another process starts
 * a second execution: deduplication here is best effort, and a workflow that must never act twice
 * should also check in its own store.
 */
import { ExpiringMap } from '../shared/expiringMap';

const DEDUPE_WINDOW_MS = 10 * 60_000;
/** Events remembered per trigger; past this a very busy trigger may let a late redelivery through. */
const KEYS_PER_TRIGGER = 10_000;
/** Triggers remembered; one quiet for the whole window has nothing left to remember anyway. */
const TRIGGERS = 1_000;

const recentByLabel = new ExpiringMap<string, ExpiringMap<string, true>>(
	DEDUPE_WINDOW_MS,
	TRIGGERS,
);

/**
 * True when this trigger (its label) let the same event through within the window; otherwise the
 * event is remembered from now on. A redelivery does not extend the window.
 */
export function isRedelivery(label: string, eventKey: string): boolean {
	const recent =
		recentByLabel.get(label) ?? new ExpiringMap<string, true>(DEDUPE_WINDOW_MS, KEYS_PER_TRIGGER);
	recentByLabel.set(label, recent);
	if (recent.has(eventKey)) return true;
	recent.set(eventKey, true);
	return false;
}
