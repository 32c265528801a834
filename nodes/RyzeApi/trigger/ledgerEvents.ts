/**
 * What an event tells the join ledger (from the trigger's version 1.1): `temp_banned` pauses the
 * instance's joins as a restriction heard by Join does; a group the number is now in marks its
 * pending join joined. Learned whatever the trigger's filters let through to the workflow.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { ledgerInstanceOf } from '../ledger/joinAdmission';
import { ledgerOfNode, REDIS_CREDENTIAL } from '../ledger/nodeLedger';
import type { JoinRecord } from '../ledger/records';
import { TEMP_BANNED_PAUSE_MS } from '../ledger/records';
import { causeOf } from '../ledger/store';
import { clock } from '../shared/clock';
import type { CredentialFields } from '../shared/connection';
import { resolveConnection } from '../shared/connection';
import type { TriggerItem } from './item';

/** What the ledger should learn from an item, if anything. Pure. */
export function ledgerNews(
	item: TriggerItem,
): { kind: 'temp_banned' } | { kind: 'joined'; groupJid: string } | undefined {
	if (item.event === 'instance.state' && item.state === 'temp_banned')
		return { kind: 'temp_banned' };
	// A pending join's group sends the number its events only once the number is in it.
	if (item.event === 'group.flow' && item.change === 'joined' && item.groupJid) {
		return { kind: 'joined', groupJid: item.groupJid };
	}
	return undefined;
}

/**
 * Tells the ledger what the item says; the records it marked joined come back, to show on the
 * item. A ledger that cannot be used is logged, never a reason to lose the event.
 */
export async function tellLedger(
	context: IWebhookFunctions,
	item: TriggerItem,
): Promise<JoinRecord[]> {
	const news = ledgerNews(item);
	if (!news) return [];
	try {
		const credentials = (await context.getCredentials('ryzeApi')) as CredentialFields;
		const connection = resolveConnection(credentials, item.instance);
		if (!connection.ok) return [];
		const instance = ledgerInstanceOf(connection.value);
		const ledger = await ledgerOfNode(
			context.getNodeParameter('joinLedger', 'automatic'),
			async () => await context.getCredentials(REDIS_CREDENTIAL),
		);
		const nowMs = clock().now();
		if (news.kind === 'joined')
			return await ledger.markGroupsJoined(instance, [news.groupJid], nowMs);
		const message = 'RyzeAPI reported the instance temp_banned';
		await ledger.pause(instance, {
			until: nowMs + TEMP_BANNED_PAUSE_MS,
			reason: 'temp_banned',
			message,
			since: nowMs,
		});
	} catch (error) {
		context.logger.warn(`RyzeAPI Trigger could not update the join ledger: ${causeOf(error)}`);
	}
	return [];
}
