/**
 * What an HTTP status from RyzeAPI (or from what stands in front of it) says, in words: the one
 * table an item's error, the credential's Test and the trigger's registration all read, so a
 * refused token or a wrong base URL is told the same way wherever it shows. Pure.
 */

export interface StatusWords {
	/** The credential field to look at first, when the status points at one. */
	check?: string;
	/** What happened, no capital, no full stop: "RyzeAPI refused the token (401: Invalid token)". */
	happened: string;
	/** What to do beyond checking that field: a sentence, or "". */
	todo: string;
}

export interface StatusContext {
	/** The server the request went to (scheme://host[:port]). */
	origin: string;
	instance: string;
	/** RyzeAPI's own error message. */
	apiMessage?: string;
	/** What the body was when it was not RyzeAPI's JSON ("an empty body"). */
	body?: string;
	/** From the rate-limit headers of a 429: when to try again. */
	resetAtMs?: number;
}

export function statusWords(status: number, context: StatusContext): StatusWords {
	const { origin, apiMessage, body } = context;
	const instance = JSON.stringify(context.instance);
	const detail = apiMessage ?? body;
	const said = detail ? `: ${detail}` : '';
	if (status >= 300 && status < 400) {
		return {
			check: 'Base URL (https:// and the exact host)',
			happened: `the server at ${origin} answered with a redirect (HTTP ${status}${said}), which is not followed so the token is never sent elsewhere`,
			todo: '',
		};
	}
	switch (status) {
		case 401:
			return {
				check: 'Token',
				happened: `RyzeAPI refused the token (401${said})`,
				todo: `Paste a valid TokenAccount, or the TokenInstance of instance ${instance}.`,
			};
		case 403:
			return {
				check: 'Instance Name or the Token',
				happened: `the token is valid but may not act on instance ${instance} (403${said})`,
				todo: "Use the TokenAccount of the account that owns it, or that instance's TokenInstance.",
			};
		case 404:
			return apiMessage !== undefined
				? {
						check: 'Instance Name',
						happened: `RyzeAPI does not know instance ${instance} (404${said})`,
						todo: 'Use the name shown in the RyzeAPI dashboard.',
					}
				: {
						check: 'Base URL',
						happened: `the server at ${origin} answered 404${body ? ` with ${body}` : ''} and not like RyzeAPI`,
						todo: '',
					};
		case 429: {
			const when =
				context.resetAtMs === undefined
					? 'in a minute'
					: `after ${new Date(context.resetAtMs).toISOString()}`;
			return {
				happened: `RyzeAPI's rate limit for this token is used up (429${said})`,
				todo: `Try again ${when}.`,
			};
		}
		default:
			return answeredWords(status, detail);
	}
}

/** Any other status: what was answered, nothing more read into it. */
export function answeredWords(status: number, detail?: string): StatusWords {
	return {
		happened: `RyzeAPI answered HTTP ${status}${detail ? `: ${detail}` : ' without its JSON error'}`,
		todo: 'Try again later, or check the Base URL.',
	};
}
