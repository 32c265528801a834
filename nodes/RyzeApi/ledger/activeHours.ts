/**
 * Active Hours: the part of the day, in the workflow's time zone, when joins may be sent. Pure,
 * time zones read through Intl (summer time included).
 */
import type { Checked } from '../shared/interfaces';
import { refuse } from '../shared/interfaces';

/** From and to as minutes after midnight, in a time zone; `to` before `from` spans midnight. */
export interface ActiveHours {
	fromMinute: number;
	toMinute: number;
	timeZone: string;
}

const CLOCK_TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/**
 * The option's two times ("08:00", "20:00"): both empty, or equal, means every hour of the day
 * (undefined); a time that is not HH:MM, or one without the other, is refused.
 */
export function readActiveHours(
	from: unknown,
	to: unknown,
	timeZone: string,
): Checked<ActiveHours | undefined> {
	const fromText = typeof from === 'string' ? from.trim() : '';
	const toText = typeof to === 'string' ? to.trim() : '';
	if (fromText === '' && toText === '') return { ok: true, value: undefined };
	const fromMatch = CLOCK_TIME.exec(fromText);
	const toMatch = CLOCK_TIME.exec(toText);
	if (!fromMatch || !toMatch) {
		return refuse(
			`Active Hours in the node's Options must be two times like 08:00 and 20:00 (24-hour clock), or both empty for every hour; they are ${JSON.stringify(from)} and ${JSON.stringify(to)}.`,
		);
	}
	const fromMinute = Number(fromMatch[1]) * 60 + Number(fromMatch[2]);
	const toMinute = Number(toMatch[1]) * 60 + Number(toMatch[2]);
	if (fromMinute === toMinute) return { ok: true, value: undefined };
	if (!isTimeZone(timeZone)) {
		return refuse(
			`The workflow's time zone ${JSON.stringify(timeZone)} is not one this n8n knows: set it in the workflow's settings.`,
		);
	}
	return { ok: true, value: { fromMinute, toMinute, timeZone } };
}

/** Whether `nowMs` falls inside the active hours. */
export function isActive(hours: ActiveHours | undefined, nowMs: number): boolean {
	if (!hours) return true;
	const minute = localMinuteOfDay(nowMs, hours.timeZone);
	return hours.fromMinute < hours.toMinute
		? minute >= hours.fromMinute && minute < hours.toMinute
		: minute >= hours.fromMinute || minute < hours.toMinute;
}

/** The first moment at or after `nowMs` inside the active hours (`nowMs` itself when inside). */
export function nextActiveAt(hours: ActiveHours | undefined, nowMs: number): number {
	if (!hours || isActive(hours, nowMs)) return nowMs;
	const minute = localMinuteOfDay(nowMs, hours.timeZone);
	// Outside the hours: the next local `from`, today's or tomorrow's.
	let minutesAhead = hours.fromMinute - minute;
	if (minutesAhead <= 0) minutesAhead += 24 * 60;
	const startOfMinute = nowMs - (nowMs % 60_000);
	let candidate = startOfMinute + minutesAhead * 60_000;
	// Summer time moves the local clock by up to an hour: settle on the instant the clock reads `from`.
	for (let step = 0; step < 3; step++) {
		const drift = localMinuteOfDay(candidate, hours.timeZone) - hours.fromMinute;
		const wrapped = ((drift + 12 * 60) % (24 * 60)) - 12 * 60;
		if (wrapped === 0) break;
		candidate -= wrapped * 60_000;
	}
	return Math.max(candidate, nowMs);
}

function localMinuteOfDay(ms: number, timeZone: string): number {
	const parts = formatter(timeZone).formatToParts(new Date(ms));
	const hour = Number(parts.find((part) => part.type === 'hour')?.value) % 24;
	const minute = Number(parts.find((part) => part.type === 'minute')?.value);
	return hour * 60 + minute;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
	let format = formatters.get(timeZone);
	if (!format) {
		format = new Intl.DateTimeFormat('en-GB', {
			timeZone,
			hour: '2-digit',
			minute: '2-digit',
			hourCycle: 'h23',
		});
		formatters.set(timeZone, format);
	}
	return format;
}

function isTimeZone(timeZone: string): boolean {
	try {
		formatter(timeZone);
		return true;
	} catch {
		return false;
	}
}
