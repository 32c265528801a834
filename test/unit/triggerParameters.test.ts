/**
 * trigger/parameters.ts and filters.ts: what activation refuses, and which
 * deliveries the parameters let through. Also that the panel offers exactly the names the helpers
 * know.
 */
import { RyzeApiTrigger } from '../../nodes/RyzeApi/RyzeApiTrigger.node';
import {
	EVENT_NAMES,
	GROUP_CHANGE_FILTERS,
	INSTANCE_STATES,
} from '../../nodes/RyzeApi/trigger/events';
import { ignoredBecause } from '../../nodes/RyzeApi/trigger/filters';
import type { TriggerItem } from '../../nodes/RyzeApi/trigger/item';
import type { TriggerFilters } from '../../nodes/RyzeApi/trigger/parameters';
import { checkTriggerParameters, DEFAULT_EVENTS } from '../../nodes/RyzeApi/trigger/parameters';

/** How activation reads Group JIDs, group.flow being selected: the JIDs, or the refusal. */
function parseGroupJids(
	groupJids: unknown,
): { ok: true; value: string[] } | { ok: false; message: string } {
	const checked = checkTriggerParameters({ events: ['group.flow'], groupJids });
	return checked.ok ? { ok: true, value: checked.value.groupJids } : checked;
}

describe('the panel', () => {
	const properties = new RyzeApiTrigger().description.properties;
	const values = (name: string) =>
		(properties.find((property) => property.name === name)?.options ?? []).map(
			(option) => (option as { value: string }).value,
		);

	it('offers the helpers names, with the agreed defaults', () => {
		expect(values('events').sort()).toEqual([...EVENT_NAMES].sort());
		expect(values('groupChanges').sort()).toEqual([...GROUP_CHANGE_FILTERS].sort());
		expect(properties.find((property) => property.name === 'events')?.default).toEqual([
			'group.flow',
			'instance.state',
		]);
		expect(DEFAULT_EVENTS).toEqual(['group.flow', 'instance.state']);
	});

	it('offers exactly the known instance states, under their names, sorted by name', () => {
		const offered = (properties.find((property) => property.name === 'instanceStates')?.options ??
			[]) as Array<{ name: string; value: string }>;
		expect(offered.map((option) => option.value).sort()).toEqual(
			Object.keys(INSTANCE_STATES).sort(),
		);
		for (const option of offered) expect(option.name).toBe(INSTANCE_STATES[option.value]);
		const names = offered.map((option) => option.name);
		expect(names).toEqual([...names].sort((one, other) => one.localeCompare(other)));
		expect(offered).toHaveLength(16);
		expect(offered).toContainEqual({ name: 'Temporarily Banned', value: 'temp_banned' });
	});
});

describe('Group JIDs', () => {
	it('reads JIDs and bare numbers separated by commas, spaces and new lines', () => {
		expect(
			parseGroupJids(
				' 120363406289005073@g.us,120363406289005074\n 5511999999999-1612345678@G.US ;',
			),
		).toEqual({
			ok: true,
			value: [
				'120363406289005073@g.us',
				'120363406289005074@g.us',
				'5511999999999-1612345678@g.us',
			],
		});
		expect(parseGroupJids('')).toEqual({ ok: true, value: [] });
		expect(parseGroupJids(undefined)).toEqual({ ok: true, value: [] });
	});

	it.each([
		'5511999999999@s.whatsapp.net',
		'https://chat.whatsapp.com/AbCdEf',
		'My Group',
		'12@g.us',
	])(
		'refuses %j, naming the whole entry (a name with spaces is not cut at its first word)',
		(entry) => {
			const result = parseGroupJids(`120363406289005073@g.us, ${entry}`);
			expect(result.ok).toBe(false);
			expect(!result.ok && result.message).toContain(JSON.stringify(entry));
		},
	);
});

describe('checkTriggerParameters', () => {
	it('refuses no event, or an unknown one, saying so', () => {
		for (const events of [[], undefined, '']) {
			const result = checkTriggerParameters({ events });
			expect(!result.ok && result.message).toMatch(/^Events: choose at least one event/);
		}
		const unknown = checkTriggerParameters({ events: ['group.flow', 'group.update'] });
		expect(!unknown.ok && unknown.message).toContain('"group.update"');
		const change = checkTriggerParameters({ events: ['group.flow'], groupChanges: ['kicked'] });
		expect(!change.ok && change.message).toContain('"kicked"');
	});

	it('checks Group JIDs only when group.flow is selected', () => {
		expect(checkTriggerParameters({ events: ['group.flow'], groupJids: 'nope' }).ok).toBe(false);
		expect(checkTriggerParameters({ events: ['instance.state'], groupJids: 'nope' })).toEqual({
			ok: true,
			value: { events: ['instance.state'], groupChanges: [], groupJids: [], instanceStates: [] },
		});
	});
});

describe('ignoredBecause', () => {
	const filters = (changes: Partial<TriggerFilters>): TriggerFilters => ({
		events: ['group.flow', 'instance.state'],
		groupChanges: [],
		groupJids: [],
		instanceStates: [],
		...changes,
	});
	const group = (fields: Partial<TriggerItem>): TriggerItem => ({
		event: 'group.flow',
		instance: 'main',
		data: {},
		groupJid: '120363406289005073@g.us',
		change: 'joined',
		participants: [],
		...fields,
	});

	it('lets everything selected through when nothing narrows it', () => {
		expect(ignoredBecause(group({}), filters({}))).toBeUndefined();
		expect(ignoredBecause(group({ groupJid: null, change: null }), filters({}))).toBeUndefined();
	});

	it('ignores an event not selected', () => {
		const item = { event: 'call.update', instance: 'main', data: {} };
		expect(ignoredBecause(item, filters({}))).toBe('event not selected');
	});

	it('filters on the group, case-insensitively, and ignores an event naming none', () => {
		const only = filters({ groupJids: ['120363406289005073@g.us'] });
		expect(ignoredBecause(group({ groupJid: '120363406289005073@G.US' }), only)).toBeUndefined();
		expect(ignoredBecause(group({ groupJid: '1@g.us' }), only)).toBe('group not selected');
		expect(ignoredBecause(group({ groupJid: null }), only)).toBe('group not selected');
	});

	it('filters on the change, with other for everything else', () => {
		const joins = filters({ groupChanges: ['joined'] });
		expect(ignoredBecause(group({ change: 'left' }), joins)).toBe('change not selected');
		const other = filters({ groupChanges: ['other'] });
		expect(ignoredBecause(group({ change: 'subject' }), other)).toBeUndefined();
		expect(ignoredBecause(group({ change: null }), other)).toBeUndefined();
		expect(ignoredBecause(group({ change: 'joined' }), other)).toBe('change not selected');
	});

	it('filters on the state, and ignores an event without one', () => {
		const state = (value: string | null): TriggerItem => ({
			event: 'instance.state',
			instance: 'main',
			data: {},
			state: value,
		});
		const connected = filters({ instanceStates: ['connected'] });
		expect(ignoredBecause(state('connected'), connected)).toBeUndefined();
		expect(ignoredBecause(state('logged_out'), connected)).toBe('state not selected');
		expect(ignoredBecause(state(null), connected)).toBe('state not selected');
		expect(ignoredBecause(state(null), filters({}))).toBeUndefined();
	});
});

describe("the trigger's subtitle on the canvas", () => {
	const subtitle = new RyzeApiTrigger().description.subtitle as string;
	// The expression's body, run as the editor runs it, on the parameters it reads.
	const render = (events: string[]) =>
		new Function('$parameter', `return (${subtitle.slice(3, -2)});`)({ events }) as string;

	test('names every event as the Events list does, in the order chosen', () => {
		const options = new RyzeApiTrigger().description.properties.find(
			(property) => property.name === 'events',
		)?.options as Array<{ name: string; value: string }>;
		for (const { name, value } of options) expect(render([value])).toBe(name);
		expect(render(['instance.state', 'group.flow'])).toBe('Instance State, Group Flow');
	});

	test('shows a value it does not know as it is', () => {
		expect(render(['new.event'])).toBe('new.event');
	});
});
