/**
 * The Options a Join Group node on the current version (1.2) offers, in the panel's order: what
 * the description shows (unit test) and what n8n's editor lists (UI suite) must both be this.
 */
export const CURRENT_VERSION_OPTION_NAMES = [
	'Instance Name',
	'Min Delay (Seconds)',
	'Max Delay (Seconds)',
	'Max Joins Per Hour',
	'Max Joins Per Day',
	'Active Hours From',
	'Active Hours To',
	'Pause After a Restriction (Hours)',
	'Pause After Throttling (Minutes)',
	'Ask Pending Approvals Again After (Days)',
	'Max Requests Per Minute',
	'Requests in Flight',
	'Tries Per Request',
	'Request Retry Wait (Seconds)',
	'Max Retry Wait per Item (Seconds)',
	'Request Timeout (Seconds)',
];
