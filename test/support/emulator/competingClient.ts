/**
 * Another program spending the same token (another n8n worker, a script): it joins the code
 * COMPETITOR_CODE again and again from outside the node, either `perWindow` requests as soon as
 * each window opens, or one request every `everyMs`. It reads nothing from the answers.
 */
import { Agent } from 'undici';

import { ACCOUNT_TOKEN, MAIN_INSTANCE } from './server';

/** The invite code the competing client joins: how the emulator's log tells its requests apart. */
export const COMPETITOR_CODE = 'OpenCompetitor';

export type CompetingPace = { perWindow: number; windowMs: number } | { everyMs: number };

export interface CompetingClient {
	/** Ends the loop after the request under way, and closes its connections. */
	stop(): Promise<void>;
}

export function startCompetingClient(
	emulatorUrl: string,
	pace: CompetingPace,
	token = ACCOUNT_TOKEN,
): CompetingClient {
	const agent = new Agent();
	let running = true;
	const join = async () =>
		await agent
			.request({
				origin: emulatorUrl,
				path: `/api/group/join/${MAIN_INSTANCE}`,
				method: 'POST',
				headers: { token, 'content-type': 'application/json' },
				body: JSON.stringify({ identifier: COMPETITOR_CODE }),
			})
			.then(async (response) => await response.body.dump());
	const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
	const loop = (async () => {
		while (running) {
			if ('everyMs' in pace) {
				await join();
				await sleep(pace.everyMs);
				continue;
			}
			const nextWindow = Math.ceil((Date.now() + 1) / pace.windowMs) * pace.windowMs;
			await sleep(nextWindow - Date.now() + 5);
			for (let i = 0; i < pace.perWindow && running; i++) await join();
		}
	})();
	return {
		stop: async () => {
			running = false;
			await loop;
			await agent.close();
		},
	};
}
