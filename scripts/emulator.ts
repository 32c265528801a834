/**
 * `npm run emulator`: the RyzeAPI emulator on 127.0.0.1, to point a real n8n (or curl) at.
 * PORT sets the port (default 3555); RATE_LIMIT and RATE_WINDOW_MS set the per-token limit;
 * RESTRICT_AFTER_JOINS (and RESTRICT_WINDOW_MS, default an hour) has WhatsApp restrict a number
 * that joins more groups than that within the window.
 */
import { CONTROL_ROUTES } from '../test/support/emulator/control';
import {
	ACCOUNT_TOKEN,
	INSTANCE_TOKEN,
	MAIN_INSTANCE,
	startEmulator,
} from '../test/support/emulator/server';

async function main(): Promise<void> {
	const port = Number(process.env.PORT ?? 3555);
	const limit = Number(process.env.RATE_LIMIT ?? 100);
	const windowMs = Number(process.env.RATE_WINDOW_MS ?? 60_000);
	const restrictAfter = Number(process.env.RESTRICT_AFTER_JOINS ?? 0);
	const restrictWindowMs = Number(process.env.RESTRICT_WINDOW_MS ?? 3_600_000);
	for (const [name, value] of Object.entries({
		port,
		limit,
		windowMs,
		restrictAfter,
		restrictWindowMs,
	}))
		if (!Number.isInteger(value) || value < 0)
			throw new Error(`${name} must be a whole number, not ${value}`);
	const emulator = await startEmulator({
		port,
		rateLimit: limit > 0 ? { limit, windowMs } : false,
		restriction:
			restrictAfter > 0 ? { afterJoins: restrictAfter, windowMs: restrictWindowMs } : false,
	});
	console.log(`RyzeAPI emulator listening on ${emulator.url}`);
	console.log(`  Base URL:       ${emulator.url}`);
	console.log(
		`  Instance name:  ${MAIN_INSTANCE} (also: second; offline answers "Instance disconnected")`,
	);
	console.log(`  TokenAccount:   ${ACCOUNT_TOKEN}`);
	console.log(`  TokenInstance:  ${INSTANCE_TOKEN}`);
	console.log('  Invite codes:   Open… joins, Approval… waits for an admin, Revoked… is revoked,');
	console.log('                  Forbidden… is not allowed, Invalid… is an invalid code,');
	console.log('                  anything else is an unknown group.');
	console.log(`  Rate limit:     ${limit > 0 ? `${limit} per ${windowMs} ms per token` : 'none'}`);
	console.log(
		`  Restriction:    ${restrictAfter > 0 ? `after ${restrictAfter} joins of a number within ${restrictWindowMs} ms, its joins are refused for 24 hours` : 'none (RESTRICT_AFTER_JOINS=3 to try it)'}`,
	);
	console.log(
		'  Webhooks:       POST /api/events/webhook/:instance, GET /api/events/getWebhook/:instance',
	);
	console.log('  Control (no token, not rate-limited), to cause events:');
	for (const route of CONTROL_ROUTES) console.log(`    ${route}`);
	const stop = () => {
		void emulator.close().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
