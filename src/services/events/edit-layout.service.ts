import { findEvent, insertTables, insertTiers, listTables, listTiers } from '../../db/repos/events.repo.js';
import { notifyTableChanged } from '../../db/repos/floor.repo.js';
import {
  deleteTables,
  deleteTiers,
  lockEventTables,
  parkTableNumbers,
  partySizes,
  setGa,
  tablesWithOrders,
  updateTable,
  updateTier,
} from '../../db/repos/layout.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { salesClosedReason } from '../../domain/event-rules.js';
import type { AppDeps } from '../deps.js';
import { toEventView, type EventView } from './event-view.js';

export interface LayoutInput {
  ga: { priceCents: number; capacity: number };
  tiers: Array<{
    id?: string | undefined;
    name: string;
    priceCents: number;
    capacity: number;
    minSpendCents?: number | undefined;
  }>;
  tables: Array<{ id?: string | undefined; number: number; tier: string; x: number; y: number }>;
}

/**
 * `PUT /events/:id/layout`: the owner edits prices, capacities, tiers and tables while the event
 * sells (until it ends), as the whole desired layout: rows with an id are changed, rows without
 * one added, rows left out removed. What was sold stays true:
 *  - prices apply to new orders only (an order keeps the amount it was charged);
 *  - GA capacity never below the GA sold; a tier's capacity never below the party already at one
 *    of its tables (the host and their linked guests);
 *  - a table ever held or sold (an order names it) can move, but keeps its number and tier and is
 *    never deleted; a tier is removed only with no table left on it.
 * Every refusal names its field, as the create form's do. Locks: the event's tables (id order),
 * then the event row: the order placeOrder takes them (one table, then the event), so they queue.
 */
export async function editLayout(
  deps: Pick<AppDeps, 'database' | 'clock' | 'config'>,
  eventId: string,
  input: LayoutInput,
): Promise<EventView> {
  return deps.database.transaction(async (tx) => {
    const current = await lockEventTables(tx, eventId);
    const event = await findEvent(tx, eventId, { lock: true });
    if (!event) throw notFound('event');
    const closed = salesClosedReason(event, deps.clock.now());
    if (closed)
      throw new DomainError(closed, closed === 'event_cancelled' ? 'This event was cancelled' : 'This event has ended');

    const tiersNow = await listTiers(tx, eventId);
    const sold = await tablesWithOrders(tx, eventId);
    const parties = await partySizes(tx, eventId);
    const problems: Record<string, string> = {};

    if (input.ga.capacity < event.gaSold)
      problems['ga.capacity'] = `at least ${event.gaSold}: that many GA tickets are sold or held`;
    const tierById = new Map(tiersNow.map((t) => [t.id, t]));
    const names = new Set<string>();
    input.tiers.forEach((t, i) => {
      if (t.id && !tierById.has(t.id)) problems[`tiers.${i}.id`] = 'not a tier of this event';
      if (names.has(t.name)) problems[`tiers.${i}.name`] = `duplicate tier name ${t.name}`;
      names.add(t.name);
    });
    const tableById = new Map(current.map((t) => [t.id, t]));
    const tierIdOfName = (name: string) => input.tiers.find((t) => t.name === name)?.id;
    const numbers = new Set<number>();
    input.tables.forEach((t, i) => {
      if (numbers.has(t.number)) problems[`tables.${i}.number`] = `duplicate table number ${t.number}`;
      numbers.add(t.number);
      if (!names.has(t.tier)) problems[`tables.${i}.tier`] = `unknown tier ${t.tier}`;
      const before = t.id ? tableById.get(t.id) : undefined;
      if (t.id && !before) problems[`tables.${i}.id`] = 'not a table of this event';
      if (before && sold.has(before.id)) {
        if (t.number !== before.number)
          problems[`tables.${i}.number`] =
            `table ${before.number} has been held or sold: it keeps its number (it can move)`;
        if (tierIdOfName(t.tier) !== before.tierId)
          problems[`tables.${i}.tier`] = `table ${before.number} has been held or sold: it keeps its tier`;
      }
    });
    const kept = new Set(input.tables.flatMap((t) => (t.id ? [t.id] : [])));
    for (const t of current) {
      if (!kept.has(t.id) && sold.has(t.id))
        problems[`tables.${t.number}`] =
          `table ${t.number} has been held or sold and cannot be deleted; move it instead`;
    }
    // A tier's capacity against the biggest party already at one of its tables.
    input.tiers.forEach((tier, i) => {
      if (!tier.id) return;
      for (const t of current) {
        const people = parties.get(t.id) ?? 0;
        if (t.tierId === tier.id && people > tier.capacity)
          problems[`tiers.${i}.capacity`] = `at least ${people}: table ${t.number} already has ${people} people`;
      }
    });
    if (Object.keys(problems).length)
      throw new DomainError('invalid_request', 'Some changes would undo what was sold; see each field', problems);

    await setGa(tx, eventId, input.ga);
    // Tiers: change, add; tables: park kept numbers, change, add, delete; then the unused tiers go.
    for (const t of input.tiers) {
      if (t.id)
        await updateTier(tx, t.id, {
          name: t.name,
          priceCents: t.priceCents,
          capacity: t.capacity,
          minSpendCents: t.minSpendCents ?? null,
        });
    }
    const newTiers = input.tiers.filter((t) => !t.id);
    const added = newTiers.length
      ? await insertTiers(
          tx,
          newTiers.map((t) => ({
            eventId,
            name: t.name,
            priceCents: t.priceCents,
            capacity: t.capacity,
            minSpendCents: t.minSpendCents ?? null,
          })),
        )
      : [];
    const tierId = new Map([
      ...input.tiers.flatMap((t) => (t.id ? [[t.name, t.id] as const] : [])),
      ...added.map((t) => [t.name, t.id] as const),
    ]);
    await deleteTables(
      tx,
      eventId,
      current.filter((t) => !kept.has(t.id)).map((t) => t.id),
    );
    await parkTableNumbers(tx, [...kept]);
    for (const t of input.tables) {
      if (t.id) await updateTable(tx, t.id, { number: t.number, tierId: tierId.get(t.tier)!, x: t.x, y: t.y });
    }
    const newTables = input.tables.filter((t) => !t.id);
    if (newTables.length)
      await insertTables(
        tx,
        newTables.map((t) => ({ eventId, tierId: tierId.get(t.tier)!, number: t.number, x: t.x, y: t.y })),
      );
    const usedTiers = new Set(input.tables.map((t) => tierId.get(t.tier)));
    await deleteTiers(
      tx,
      eventId,
      tiersNow.filter((t) => !input.tiers.some((x) => x.id === t.id) && !usedTiers.has(t.id)).map((t) => t.id),
    );

    const tables = await listTables(tx, eventId);
    for (const t of tables) await notifyTableChanged(tx, eventId, t.id);
    return toEventView((await findEvent(tx, eventId))!, await listTiers(tx, eventId), tables, true, deps.config);
  });
}
