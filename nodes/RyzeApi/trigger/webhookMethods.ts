/**
 * The trigger's webhook at RyzeAPI, registered when the workflow is activated (or the editor
 * listens for a test event) and disabled when it stops. Only I/O: what to send and what an answer
 * means are decided in trigger/registration.ts.
 */
import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Connection, CredentialFields } from '../shared/connection';
import { resolveConnection, resolveEndpoint, withInstance } from '../shared/connection';
import { envelopeOf } from '../shared/classifyAnswer';
import type { ApiRequest, RawAnswer } from '../shared/interfaces';
import { sendRequest } from '../transport';
import { authorizationHash, bearer, newWebhookSecret } from './authorization';
import { webhookLabel } from './label';
import type { TriggerFilters, TriggerParameters } from './parameters';
import { checkTriggerParameters, DEFAULT_EVENTS } from './parameters';
import type { ExpectedRegistration, RefusalContext, WantedRegistration } from './registration';
import {
	blockingLabels,
	describeRefusal,
	disableBody,
	isCurrentRegistration,
	readSingleWebhook,
	readWebhookRows,
	registrationBody,
	slotsFullMessage,
} from './registration';

/** How long one request to RyzeAPI may take before it counts as unanswered. */
const REGISTRATION_TIMEOUT_MS = 15_000;

/**
 * What the node keeps in its static data: the label it registered and the hash of the header it
 * gave (trigger/authorization.ts). n8n copies static data into every stored execution of the
 * workflow, so the secret itself lives in memory only, while create sends it.
 */
export interface StoredRegistration extends IDataObject {
	label?: string;
	authorizationHash?: string;
	/**
	 * Where the label was registered: the credential's server and instance at create. Changing the
	 * credential later must not make delete disable the label elsewhere and leave this slot taken.
	 */
	origin?: string;
	basePath?: string;
	instance?: string;
	/** The plain secret an older build kept: never read, only dropped (create registers anew). */
	secret?: string;
}

export function storedRegistration(context: {
	getWorkflowStaticData(type: string): IDataObject;
}): StoredRegistration {
	return context.getWorkflowStaticData('node') as StoredRegistration;
}

/**
 * n8n's checkExists: whether the registration stored with the workflow is the one RyzeAPI holds
 * for this label, up to date (then create is skipped). Not whether some webhook exists.
 */
export async function isRegistrationCurrent(this: IHookFunctions): Promise<boolean> {
	// Parameters that cannot be used are create's to refuse: said once, not twice.
	if (!checkTriggerParameters(triggerParametersOf(this)).ok) return false;
	const { connection, label, url, filters } = await activationTarget(this);
	const stored = storedRegistration(this);
	// An older build's plain secret (no hash) is not current: create registers anew and drops it.
	if (stored.label !== label || !stored.authorizationHash) return false;
	// Registered at another instance or server (the credential changed): create moves it here.
	if (!registeredAt(stored, connection)) return false;
	const answer = await callEventsRoute(connection, {
		method: 'GET',
		area: 'events',
		route: 'getWebhook',
		query: { label },
	});
	if (succeeded(answer)) {
		const row = readSingleWebhook(envelopeOf(answer));
		return isCurrentRegistration(
			row,
			expectedRegistration(label, url, stored.authorizationHash, filters),
		);
	}
	// Unreachable, rate-limited or failing, with our label and hash stored (n8n restarting while
	// RyzeAPI is down, say): keep the registration n8n and RyzeAPI already share. A throw here would
	// make n8n clear the webhooks, delete would drop the label and hash, and the next activation
	// would register a new secret. Deliveries keep working if RyzeAPI still holds our row; the
	// warning says the check was skipped (it names no secret and no token).
	if (answer.kind === 'noAnswer' || answer.status === 429 || answer.status >= 500) {
		const why = describeRefusal(answer, refusalContext('check', label, connection, []));
		this.logger.warn(
			`${why} The registration stored with the workflow is kept as registered; it is checked again at the next activation.`,
		);
		return true;
	}
	// Anything else (404: no such label) means "not there as we want it": create upserts it.
	return false;
}

export async function createWebhook(this: IHookFunctions): Promise<boolean> {
	const { connection, label, url, filters } = await activationTarget(this);
	const stored = storedRegistration(this);
	// Our label at the instance the credential named before: freed first, best effort.
	if (
		stored.label !== undefined &&
		stored.instance !== undefined &&
		!registeredAt(stored, connection)
	)
		await disableWhereRegistered(this, stored.label, stored).catch(() => false);
	delete stored.secret;
	delete stored.authorizationHash;
	const list = await callEventsRoute(connection, {
		method: 'GET',
		area: 'events',
		route: 'getWebhook',
	});
	if (!succeeded(list)) {
		throw new NodeOperationError(
			this.getNode(),
			describeRefusal(list, refusalContext('list the webhooks for', label, connection, [])),
		);
	}
	const rows = readWebhookRows(envelopeOf(list));
	const blocking = blockingLabels(rows, label);
	if (blocking.length > 0) {
		throw new NodeOperationError(this.getNode(), slotsFullMessage(connection.instance, blocking));
	}
	// The label just before the POST, which may register it even when no answer comes back. Refused
	// earlier, nothing was registered, and no clean-up may leave a disabled row of ours at the provider.
	Object.assign(stored, {
		label,
		origin: connection.origin,
		basePath: connection.basePath,
		instance: connection.instance,
	});
	const secret = newWebhookSecret();
	const registration = registrationFor(label, url, secret, filters);
	stored.authorizationHash = authorizationHash(registration.authorization);
	const answer = await callEventsRoute(connection, {
		method: 'POST',
		area: 'events',
		route: 'webhook',
		body: registrationBody(registration),
	});
	if (succeeded(answer)) return true;
	delete stored.authorizationHash;
	// No answer: the POST may have registered the label all the same. n8n's clean-up after a failed
	// create calls delete, but only in test mode does it see this static data; in production
	// (ActiveWorkflowManager.addWebhooks → clearWebhooks) it rebuilds the workflow from the
	// database's static data, which never saw the label. So disable it here, best effort: its
	// outcome changes nothing of the error below.
	if (answer.kind === 'noAnswer') await disable(connection, label);
	const enabledLabels = rows.filter((row) => row.enabled).map((row) => row.label);
	const context = { ...refusalContext('register', label, connection, enabledLabels), secret };
	throw new NodeOperationError(this.getNode(), describeRefusal(answer, context));
}

/** n8n's delete: disables our row at RyzeAPI ({label, enabled: false}); the row is kept, not removed. */
export async function deleteWebhook(this: IHookFunctions): Promise<boolean> {
	const stored = storedRegistration(this);
	const { label, origin, basePath, instance } = stored;
	// Dropped whatever happens next: a delivery after this point is refused.
	forget(stored);
	// No label stored: this node registered nothing, and must not guess another's label.
	if (label === undefined) return true;
	try {
		// Disabled where it was registered, whatever the credential names now.
		return await disableWhereRegistered(this, label, { origin, basePath, instance });
	} catch {
		// n8n logs a false; a credential that no longer resolves must not stop the deactivation.
		return false;
	}
}

/** The parameters, as activation and each delivery read them (a hidden one reads as its default). */
export function triggerParametersOf(context: {
	getNodeParameter(name: string, fallback: unknown): unknown;
}): TriggerParameters {
	return {
		events: context.getNodeParameter('events', DEFAULT_EVENTS),
		groupChanges: context.getNodeParameter('groupChanges', []),
		groupJids: context.getNodeParameter('groupJids', ''),
		instanceStates: context.getNodeParameter('instanceStates', []),
	};
}

async function activationTarget(context: IHookFunctions): Promise<{
	connection: Connection;
	label: string;
	url: string;
	filters: TriggerFilters;
}> {
	const filters = checkTriggerParameters(triggerParametersOf(context));
	if (!filters.ok) throw new NodeOperationError(context.getNode(), filters.message);
	const url = context.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(context.getNode(), 'n8n gave no URL for this trigger.');
	const label = webhookLabel(
		context.getWorkflow().id,
		context.getNode().id,
		context.getMode() === 'manual',
	);
	return { connection: await connectionOf(context), label, url, filters: filters.value };
}

/** Everything the static data holds of a registration, so that a delivery is refused from now on. */
function forget(stored: StoredRegistration): void {
	for (const key of ['label', 'authorizationHash', 'secret', 'origin', 'basePath', 'instance'])
		delete stored[key];
}

/** Where a label was registered: the server and the instance. */
type RegisteredAt = Pick<StoredRegistration, 'origin' | 'basePath' | 'instance'>;

function registeredAt(place: RegisteredAt, connection: Connection): boolean {
	return (
		place.origin === connection.origin &&
		place.basePath === connection.basePath &&
		place.instance === connection.instance
	);
}

/**
 * Disables the label at the instance it was registered at, with the credential's token. An older
 * build stored no place: the credential's instance, as then. Registered at another server than
 * the credential names now, nothing is sent (the token must not go to a server the user no longer
 * names) and a warning says which row to disable by hand.
 */
async function disableWhereRegistered(
	context: IHookFunctions,
	label: string,
	place: RegisteredAt,
): Promise<boolean> {
	const credentials = (await context.getCredentials('ryzeApi')) as CredentialFields;
	const endpoint = resolveEndpoint(credentials);
	if (!endpoint.ok) throw new NodeOperationError(context.getNode(), endpoint.message);
	const { origin, basePath } = endpoint.value;
	if (place.instance !== undefined && (place.origin !== origin || place.basePath !== basePath)) {
		context.logger.warn(
			`Could not disable the RyzeAPI webhook ${JSON.stringify(label)} of instance ${JSON.stringify(place.instance)}: it was registered at ${String(place.origin)}${String(place.basePath)} and the RyzeAPI credential now names ${origin}${basePath}, where its token is not sent. Disable it in the RyzeAPI dashboard to free its slot.`,
		);
		return false;
	}
	const connection = withInstance(endpoint.value, credentials, place.instance);
	if (!connection.ok) throw new NodeOperationError(context.getNode(), connection.message);
	return await disable(connection.value, label);
}

async function connectionOf(context: IHookFunctions): Promise<Connection> {
	const credentials = (await context.getCredentials('ryzeApi')) as CredentialFields;
	const connection = resolveConnection(credentials);
	if (!connection.ok) throw new NodeOperationError(context.getNode(), connection.message);
	return connection.value;
}

/** What create sends: our label, n8n's URL for this trigger, the new secret, the events. */
function registrationFor(
	label: string,
	url: string,
	secret: string,
	filters: TriggerFilters,
): WantedRegistration {
	return { label, url, authorization: bearer(secret), events: filters.events };
}

/** What our row at RyzeAPI must hold to be current, as the static data knows it. */
function expectedRegistration(
	label: string,
	url: string,
	hash: string,
	filters: TriggerFilters,
): ExpectedRegistration {
	return { label, url, authorizationHash: hash, events: filters.events };
}

function refusalContext(
	action: string,
	label: string,
	connection: Connection,
	enabledLabels: string[],
): RefusalContext {
	return { action, label, instance: connection.instance, origin: connection.origin, enabledLabels };
}

/** RyzeAPI did what was asked: a 2xx answer. */
function succeeded(answer: RawAnswer): boolean {
	return answer.kind === 'http' && answer.status >= 200 && answer.status < 300;
}

/** One call of an /api/events route, unpaced: activation is rare and must not wait on items. */
async function callEventsRoute(connection: Connection, request: ApiRequest): Promise<RawAnswer> {
	return await sendRequest(connection, request, { timeoutMs: REGISTRATION_TIMEOUT_MS });
}

/** Disables the label's row (RyzeAPI keeps it, disabled): whether it worked, never a throw. */
async function disable(connection: Connection, label: string): Promise<boolean> {
	try {
		const answer = await callEventsRoute(connection, {
			method: 'POST',
			area: 'events',
			route: 'webhook',
			body: disableBody(label),
		});
		return succeeded(answer);
	} catch {
		return false;
	}
}
