/**
 * One delivery from RyzeAPI: who sent it, what it is, whether the workflow wants it. Only I/O: the
 * decisions are the helpers'. Never throws for what a caller sends (n8n would record an error
 * execution for each one) and never logs the body, which carries the instance's token.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { authorizationMatches } from './authorization';
import { deliveryKey, readDeliveryEnvelope } from './envelope';
import { ignoredBecause } from './filters';
import { buildTriggerItem, withLedgerRecord } from './item';
import { tellLedger } from './ledgerEvents';
import { checkTriggerParameters } from './parameters';
import { isRedelivery } from './recentDeliveries';
import { storedRegistration, triggerParametersOf } from './webhookMethods';

export async function receiveEvent(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	try {
		return await handleDelivery.call(this);
	} catch {
		// Unexpected (a body nested too deep to hash, say): an answer, not an error execution per call.
		return answer(this, 500, { error: 'the event could not be processed' });
	}
}

async function handleDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const stored = storedRegistration(this);
	if (!authorizationMatches(this.getHeaderData().authorization, stored.authorizationHash)) {
		return answer(this, 401, { error: 'unauthorized' });
	}
	const reading = readDeliveryEnvelope(this.getBodyData());
	if (!reading.ok)
		return answer(this, 400, { error: 'not a RyzeAPI event', reason: reading.reason });
	const filters = checkTriggerParameters(triggerParametersOf(this));
	// Refused at activation already; a 503 asks RyzeAPI to deliver again once the node is fixed.
	if (!filters.ok) return answer(this, 503, { error: 'the trigger is misconfigured' });
	const item = buildTriggerItem(reading.envelope);
	// From 1.1 the join ledger learns from every event, whatever the workflow filters out.
	const joined = this.getNode().typeVersion >= 1.1 ? await tellLedger(this, item) : [];
	const ignored = ignoredBecause(item, filters.value);
	if (ignored) return answer(this, 200, { received: true, ignored });
	if (isRedelivery(stored.label ?? '', deliveryKey(reading.envelope))) {
		return answer(this, 200, { received: true, ignored: 'duplicate' });
	}
	return { workflowData: [[{ json: withLedgerRecord(item, joined[0]) as IDataObject }]] };
}

/** Answers the caller directly and starts no execution. */
function answer(
	context: IWebhookFunctions,
	status: number,
	body: IDataObject,
): IWebhookResponseData {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}
