import { describe, expect, it } from 'vitest';
import { checkDraft, editorReducer, layoutBody, newEvent, scheduleChanged, type EditorState } from './event-draft.js';
import type { AdminEvent } from './types.js';

const keys = (() => {
  let n = 0;
  return () => `k${++n}`;
})();

const saved: AdminEvent = {
  id: 'e1',
  name: 'Friday',
  starts_at: '2027-01-08T22:00:00.000Z',
  ends_at: '2027-01-09T04:00:00.000Z',
  time_zone: 'Europe/Berlin',
  currency: 'EUR',
  status: 'scheduled',
  venue_name: 'The Vault',
  venue_address: '',
  description: '',
  min_age: null,
  locale: 'en',
  cover_url: null,
  ga: { price_cents: 2000, capacity: 300, available: 300, max_per_order: 10 },
  tiers: [{ id: 't1', name: 'Gold', price_cents: 50_000, capacity: 8, min_spend_cents: null }],
  tables: [
    { id: 'a', number: 1, tier: 'Gold', tier_id: 't1', x: 120, y: 120 },
    { id: 'b', number: 2, tier: 'Gold', tier_id: 't1', x: 300, y: 120 },
  ],
};

const run = (state: EditorState, ...actions: Parameters<typeof editorReducer>[1][]) =>
  actions.reduce(editorReducer, state);

const loaded = () => run(newEvent(keys), { type: 'loaded', event: saved, keys });

describe('the event editor state', () => {
  it('a new event starts next week at 22:00 with two tiers and no tables, and is not yet valid without a name', () => {
    const s = newEvent(keys, Date.parse('2026-12-04T12:00:00Z'));
    expect(s.tiers.map((t) => t.name)).toEqual(['Gold', 'Silver']);
    expect(s.tables).toEqual([]);
    expect(new Date(s.startsAt).getHours()).toBe(22);
    expect(checkDraft(s)).toEqual({ name: 'Give the event a name' });
  });

  it('renaming a tier takes its tables along, and the layout names the new tier', () => {
    const s = loaded();
    const gold = s.tiers[0]!.key;
    const after = run(s, { type: 'renameTier', key: gold, name: 'Platinum' });
    expect(after.tables.map((t) => t.tier)).toEqual(['Platinum', 'Platinum']);
    expect(layoutBody(after).tiers[0]).toMatchObject({ id: 't1', name: 'Platinum' });
    expect(checkDraft(after)).toEqual({});
  });

  it('a tier with tables cannot be removed; without them it can', () => {
    const s = run(loaded(), { type: 'addTier', key: 'new' });
    expect(run(s, { type: 'removeTier', key: s.tiers[0]!.key }).tiers).toHaveLength(2);
    expect(run(s, { type: 'removeTier', key: 'new' }).tiers).toHaveLength(1);
  });

  it('a held table moves but keeps its number and tier, and cannot be deleted', () => {
    const s = run(loaded(), { type: 'locked', tableIds: new Set(['a']) });
    const a = s.tables.find((t) => t.id === 'a')!;
    const after = run(
      s,
      { type: 'table', key: a.key, change: { number: 9, tier: 'Silver', x: 500, y: 300 } },
      { type: 'deleteTable', key: a.key },
    );
    expect(after.tables.find((t) => t.id === 'a')).toMatchObject({ number: 1, tier: 'Gold', x: 500, y: 300 });
    const b = after.tables.find((t) => t.id === 'b')!;
    expect(run(after, { type: 'deleteTable', key: b.key }).tables.map((t) => t.id)).toEqual(['a']);
  });

  it('a new table gets the next number, a free spot and the selection; a number that is not positive is ignored', () => {
    const s = run(loaded(), { type: 'addTable', key: 'n' });
    const added = s.tables.find((t) => t.key === 'n')!;
    expect(added.number).toBe(3);
    expect(s.selected).toBe('n');
    for (const other of s.tables.filter((t) => t.key !== 'n'))
      expect(Math.abs(other.x - added.x) >= 140 || Math.abs(other.y - added.y) >= 110).toBe(true);
    expect(run(s, { type: 'table', key: 'n', change: { number: Number.NaN } }).tables).toEqual(s.tables);
  });

  it('saving checks first: refusals by the API field names, nothing sent; a clean draft goes busy', () => {
    const s = run(
      loaded(),
      { type: 'text', field: 'endsAt', value: '2027-01-08T20:00' },
      { type: 'addTable', key: 'n' },
    );
    const dup = run(s, { type: 'table', key: 'n', change: { number: 1 } }, { type: 'saving' });
    expect(dup.busy).toBe(false);
    expect(dup.errors).toMatchObject({
      ends_at: 'It must end after it starts',
      tables: 'Two tables have the same number',
    });
    expect(dup.formError).toMatch(/need a look/);
    expect(run(loaded(), { type: 'saving' })).toMatchObject({ busy: true, errors: {}, formError: null });
  });

  it('only a changed schedule is sent again', () => {
    const s = loaded();
    expect(scheduleChanged(s)).toBe(false);
    expect(scheduleChanged(run(s, { type: 'text', field: 'name', value: 'Friday Late' }))).toBe(true);
  });
});
