import type { Executor } from '../../db/database.js';
import { findEvent } from '../../db/repos/events.repo.js';
import { capacityOverrides, doorCounts, eventSales } from '../../db/repos/summary.repo.js';
import { notFound } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';

/**
 * `GET /events/:id/summary`: the owner's numbers for one night: sales and money, the door (first
 * entries by door and per quarter hour), and every capacity override staff made, with who and when.
 */
export async function eventSummary(deps: Pick<AppDeps, 'database'>, eventId: string) {
  const db = deps.database.db;
  const event = await findEvent(db, eventId);
  if (!event) throw notFound('event');
  const sales = await eventSales(db, eventId);
  const door = await readDoorFigures(db, eventId);
  const overrides = await capacityOverrides(db, eventId);
  return {
    event_id: event.id,
    currency: event.currency,
    sales: { ga_sold: event.gaSold, ga_capacity: event.gaCapacity, ...sales },
    door,
    overrides: overrides.map((o) => ({
      at: new Date(o.at).toISOString(),
      by: o.by_email,
      guest_name: o.guest_name,
      table_number: o.table_number,
    })),
  };
}

export interface DoorFiguresView {
  admitted: number;
  by_door: Array<{ scanner_id: string; admitted: number }>;
  over_time: Array<{ at: string; admitted: number }>;
}

/**
 * People admitted in all, by the door of their first entry, and per quarter hour of their first
 * entry (night-figures.ts): the summary's `door` and the live door stream, one definition.
 */
export async function readDoorFigures(db: Executor, eventId: string): Promise<DoorFiguresView> {
  const door = await doorCounts(db, eventId);
  return { admitted: door.byDoor.reduce((n, d) => n + d.admitted, 0), by_door: door.byDoor, over_time: door.overTime };
}

/** The live stream's first message: the event must exist. */
export async function doorFiguresOf(deps: Pick<AppDeps, 'database'>, eventId: string): Promise<DoorFiguresView> {
  if (!(await findEvent(deps.database.db, eventId))) throw notFound('event');
  return readDoorFigures(deps.database.db, eventId);
}
