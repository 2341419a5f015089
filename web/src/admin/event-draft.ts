import type { DetailsDraft } from './EventDetailsFields.js';
import { freeSpot } from './floor-geometry.js';
import type { AdminEvent } from './types.js';
import { t } from '../lib/i18n.js';
import { instantOf, wallClock } from '../lib/wall-clock.js';

/**
 * The event editor's whole state and every change to it, as one reducer: the draft the owner
 * types (kept as typed, strings for numbers, until it is saved), the table they selected, and
 * what saving said. Pure, so the rules (a renamed tier takes its tables along, a held table
 * keeps its number) are tested without a browser.
 */

export interface DraftTier {
  key: string;
  /** The saved tier's id, once it exists. */
  id?: string;
  name: string;
  price: string;
  capacity: string;
  minSpend: string;
}

export interface DraftTable {
  key: string;
  /** The saved table's id, once it exists. */
  id?: string;
  number: number;
  tier: string;
  x: number;
  y: number;
  /** Sold or held: it can move but not be deleted. */
  locked?: boolean;
}

export interface CoverChoice {
  file: File | null;
  remove: boolean;
  error: string | null;
}

export interface EditorState {
  /** The event as last read from the server (null while creating one). */
  saved: AdminEvent | null;
  name: string;
  /** As the venue's clock reads them (`timeZone`), for datetime-local inputs. */
  startsAt: string;
  endsAt: string;
  /** The venue's time zone (the event's, else GET /config's); undefined until known: the device's. */
  timeZone: string | undefined;
  currency: string;
  gaPrice: string;
  gaCapacity: string;
  tiers: DraftTier[];
  tables: DraftTable[];
  details: DetailsDraft;
  cover: CoverChoice;
  selected: string | null;
  /** Refusals by field name (the API's `details` keys, e.g. `tiers.0.name`). */
  errors: Record<string, string>;
  formError: string | null;
  busy: boolean;
}

export type TextField = 'name' | 'startsAt' | 'endsAt' | 'currency' | 'gaPrice' | 'gaCapacity';

export type EditorAction =
  | { type: 'loaded'; event: AdminEvent; keys: () => string }
  | { type: 'zone'; timeZone: string }
  | { type: 'locked'; tableIds: ReadonlySet<string> }
  | { type: 'text'; field: TextField; value: string }
  | { type: 'details'; details: DetailsDraft }
  | { type: 'cover'; change: Partial<CoverChoice> }
  | { type: 'renameTier'; key: string; name: string }
  | { type: 'tier'; key: string; change: Partial<Pick<DraftTier, 'price' | 'capacity' | 'minSpend'>> }
  | { type: 'addTier'; key: string }
  | { type: 'removeTier'; key: string }
  | { type: 'addTable'; key: string }
  | { type: 'table'; key: string; change: Partial<Pick<DraftTable, 'number' | 'tier' | 'x' | 'y'>> }
  | { type: 'deleteTable'; key: string }
  | { type: 'select'; key: string | null }
  | { type: 'saving' }
  | { type: 'refused'; errors: Record<string, string>; message: string }
  | { type: 'coverRefused'; message: string };

export const toCents = (v: string) => Math.round(Number.parseFloat(v.replace(',', '.')) * 100);
const fromCents = (c: number) => (c / 100).toFixed(2);

/** A new event: next week at 22:00 for six hours, two tiers to start from, no tables yet. */
export function newEvent(keys: () => string, now = Date.now(), coverError: string | null = null): EditorState {
  const start = new Date(now + 7 * 24 * 3600_000);
  start.setHours(22, 0, 0, 0);
  return {
    saved: null,
    name: '',
    // "22:00 next week" as typed: read in the venue's zone once it is known (a 'zone' action).
    startsAt: wallClock(start.toISOString()),
    endsAt: wallClock(new Date(start.getTime() + 6 * 3600_000).toISOString()),
    timeZone: undefined,
    currency: 'EUR',
    gaPrice: '20.00',
    gaCapacity: '300',
    tiers: [
      { key: keys(), name: 'Gold', price: '500.00', capacity: '8', minSpend: '' },
      { key: keys(), name: 'Silver', price: '250.00', capacity: '6', minSpend: '' },
    ],
    tables: [],
    details: { venueName: '', venueAddress: '', description: '', minAge: null, locale: 'en' },
    cover: { file: null, remove: false, error: coverError },
    selected: null,
    errors: {},
    formError: null,
    busy: false,
  };
}

const fromEvent = (state: EditorState, e: AdminEvent, keys: () => string): EditorState => ({
  ...state,
  saved: e,
  name: e.name,
  startsAt: wallClock(e.starts_at, e.time_zone),
  endsAt: wallClock(e.ends_at, e.time_zone),
  timeZone: e.time_zone,
  currency: e.currency,
  gaPrice: fromCents(e.ga.price_cents),
  gaCapacity: String(e.ga.capacity),
  tiers: e.tiers.map((t) => ({
    key: keys(),
    id: t.id,
    name: t.name,
    price: fromCents(t.price_cents),
    capacity: String(t.capacity),
    minSpend: t.min_spend_cents ? fromCents(t.min_spend_cents) : '',
  })),
  tables: e.tables.map((t) => ({ key: keys(), id: t.id, number: t.number, tier: t.tier, x: t.x, y: t.y })),
  details: {
    venueName: e.venue_name,
    venueAddress: e.venue_address,
    description: e.description,
    minAge: e.min_age,
    locale: e.locale,
  },
});

const update = <T extends { key: string }>(all: T[], key: string, change: Partial<T>): T[] =>
  all.map((x) => (x.key === key ? { ...x, ...change } : x));

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case 'loaded':
      return fromEvent(state, action.event, action.keys);
    case 'zone':
      // An event's own zone, once loaded, is the one its times were read in.
      return state.saved ? state : { ...state, timeZone: action.timeZone };
    case 'locked':
      return { ...state, tables: state.tables.map((t) => ({ ...t, locked: !!t.id && action.tableIds.has(t.id) })) };
    case 'text':
      return { ...state, [action.field]: action.value };
    case 'details':
      return { ...state, details: action.details };
    case 'cover':
      return { ...state, cover: { ...state.cover, ...action.change } };
    case 'renameTier': {
      // Tables name their tier: a renamed tier takes its tables along.
      const before = state.tiers.find((t) => t.key === action.key);
      if (!before) return state;
      return {
        ...state,
        tiers: update<DraftTier>(state.tiers, action.key, { name: action.name }),
        tables: state.tables.map((t) => (t.tier === before.name ? { ...t, tier: action.name } : t)),
      };
    }
    case 'tier':
      return { ...state, tiers: update<DraftTier>(state.tiers, action.key, action.change) };
    case 'addTier':
      return {
        ...state,
        tiers: [
          ...state.tiers,
          {
            key: action.key,
            name: t('editor.tierN', { n: state.tiers.length + 1 }),
            price: '100.00',
            capacity: '4',
            minSpend: '',
          },
        ],
      };
    case 'removeTier': {
      // A tier with tables cannot go (the button says so by being disabled; this is the rule).
      const tier = state.tiers.find((t) => t.key === action.key);
      if (!tier || state.tables.some((t) => t.tier === tier.name)) return state;
      return { ...state, tiers: state.tiers.filter((t) => t.key !== action.key) };
    }
    case 'addTable': {
      const number = Math.max(0, ...state.tables.map((t) => t.number)) + 1;
      const table: DraftTable = {
        key: action.key,
        number,
        tier: state.tiers[0]?.name ?? '',
        ...freeSpot(state.tables),
      };
      return { ...state, tables: [...state.tables, table], selected: table.key };
    }
    case 'table': {
      const table = state.tables.find((t) => t.key === action.key);
      if (!table) return state;
      // A held or sold table keeps its number and tier; it can still move.
      const { number, tier: _tier, ...place } = action.change;
      const change = table.locked ? place : action.change;
      if (number !== undefined && !(number > 0)) return state;
      return { ...state, tables: update<DraftTable>(state.tables, action.key, change) };
    }
    case 'deleteTable': {
      const table = state.tables.find((t) => t.key === action.key);
      if (!table || table.locked) return state;
      return {
        ...state,
        tables: state.tables.filter((t) => t.key !== action.key),
        selected: state.selected === action.key ? null : state.selected,
      };
    }
    case 'select':
      return { ...state, selected: action.key };
    case 'saving': {
      const errors = checkDraft(state);
      if (Object.keys(errors).length) return { ...state, errors, formError: t('editor.needsLook'), busy: false };
      return { ...state, errors: {}, formError: null, busy: true };
    }
    case 'refused':
      return { ...state, errors: action.errors, formError: action.message, busy: false };
    case 'coverRefused':
      return {
        ...state,
        cover: { ...state.cover, error: action.message },
        formError: t('editor.coverNotSaved'),
        busy: false,
      };
  }
}

/** What the page can tell before asking the server, by the same field names the API uses. */
export function checkDraft(s: EditorState): Record<string, string> {
  const e: Record<string, string> = {};
  if (!s.name.trim()) e.name = t('editor.check.name');
  if (!s.startsAt) e.starts_at = t('editor.check.start');
  if (!s.endsAt || Date.parse(instantOf(s.endsAt, s.timeZone)) <= Date.parse(instantOf(s.startsAt, s.timeZone)))
    e.ends_at = t('editor.check.end');
  if (!(toCents(s.gaPrice) >= 0)) e['ga.price_cents'] = t('editor.check.price', { example: '20.00' });
  if (!(Number.parseInt(s.gaCapacity, 10) >= 0)) e['ga.capacity'] = t('editor.check.gaCapacity');
  s.tiers.forEach((tier, i) => {
    if (!tier.name.trim()) e[`tiers.${i}.name`] = t('editor.check.tierName');
    if (!(toCents(tier.price) >= 0)) e[`tiers.${i}.price_cents`] = t('editor.check.price', { example: '300.00' });
    if (!(Number.parseInt(tier.capacity, 10) >= 1)) e[`tiers.${i}.capacity`] = t('editor.check.tierCapacity');
  });
  const numbers = s.tables.map((t) => t.number);
  if (new Set(numbers).size !== numbers.length) e.tables = t('editor.check.sameNumber');
  const tierNames = new Set(s.tiers.map((t) => t.name));
  if (s.tables.some((t) => !tierNames.has(t.tier))) e.tables = t('editor.check.tableTier');
  return e;
}

/** The bodies the API takes: the layout (PUT /layout, or part of POST /events), the schedule, the details. */
export const layoutBody = (s: EditorState) => ({
  ga: { price_cents: toCents(s.gaPrice), capacity: Number.parseInt(s.gaCapacity, 10) },
  tiers: s.tiers.map((t) => ({
    ...(t.id ? { id: t.id } : {}),
    name: t.name.trim(),
    price_cents: toCents(t.price),
    capacity: Number.parseInt(t.capacity, 10),
    ...(t.minSpend ? { min_spend_cents: toCents(t.minSpend) } : {}),
  })),
  tables: s.tables.map((t) => ({ ...(t.id ? { id: t.id } : {}), number: t.number, tier: t.tier, x: t.x, y: t.y })),
});

export const scheduleBody = (s: EditorState) => ({
  name: s.name.trim(),
  starts_at: instantOf(s.startsAt, s.timeZone),
  ends_at: instantOf(s.endsAt, s.timeZone),
});

export const detailsBody = (d: DetailsDraft) => ({
  venue_name: d.venueName.trim(),
  venue_address: d.venueAddress.trim(),
  description: d.description.trim(),
  min_age: d.minAge,
  locale: d.locale,
});

/** Name and times change only when they did (and only before the start: the API says so if too late). */
export function scheduleChanged(s: EditorState): boolean {
  const b = scheduleBody(s);
  return !!s.saved && (b.name !== s.saved.name || b.starts_at !== s.saved.starts_at || b.ends_at !== s.saved.ends_at);
}

export function detailsChanged(s: EditorState): boolean {
  const d = s.details;
  const e = s.saved;
  return (
    !!e &&
    (d.venueName !== e.venue_name ||
      d.venueAddress !== e.venue_address ||
      d.description !== e.description ||
      d.minAge !== e.min_age ||
      d.locale !== e.locale)
  );
}
