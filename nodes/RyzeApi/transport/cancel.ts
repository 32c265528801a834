/**
 * Thrown when the execution is stopped mid-request. n8n's engine marks an execution "canceled"
 * (not "error") when the failing node's error says "canceled" or its name "Cancelled", as it does
 * for its own nodes' aborted requests.
 */
export class RequestCancelledError extends Error {
	constructor() {
		super('Request canceled: the execution was stopped');
		this.name = 'RequestCancelledError';
	}
}
