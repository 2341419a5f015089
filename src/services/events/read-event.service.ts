import { findEvent, listTables, listTiers } from '../../db/repos/events.repo.js';
import { floorTables } from '../../db/repos/floor.repo.js';
import { notFound } from '../../domain/errors.js';
import { tableStatus, type TableStatus } from '../../domain/floor-plan.js';
import type { Executor } from '../../db/database.js';
import type { FloorTableRow } from '../../db/repos/floor.repo.js';
import type { AppDeps } from '../deps.js';
import { toEventView, type EventView } from './event-view.js';

/**
 * Anyone may read an event's public fields, its status included: a buyer who opens a cancelled or
 * finished night's page is told so (a 404 would leave them wondering). Staff and the owner see more.
 */
export async function getEvent(
  deps: Pick<AppDeps, 'database' | 'config'>,
  id: string,
  privileged: boolean,
): Promise<EventView> {
  const db = deps.database.db;
  const event = await findEvent(db, id);
  if (!event) throw notFound('event');
  return toEventView(event, await listTiers(db, id), await listTables(db, id), privileged, deps.config);
}

export interface FloorTable {
  id: string;
  number: number;
  tier: string;
  capacity: number;
  x: number;
  y: number;
  status: TableStatus;
  reservation_id: string | null;
  no_show: boolean;
  guests_linked: number;
  guests_arrived: number;
  host_arrived: boolean;
}

export function toFloorTable(row: FloorTableRow): FloorTable {
  const status = row.reservation_status;
  return {
    id: row.id,
    number: row.number,
    tier: row.tier,
    capacity: row.capacity,
    x: row.x,
    y: row.y,
    status: tableStatus(status),
    reservation_id: row.reservation_id,
    no_show: row.no_show ?? false,
    guests_linked: row.guests_linked,
    guests_arrived: row.guests_arrived,
    host_arrived: status === 'checked_in' || (status === 'completed' && !row.no_show),
  };
}

export async function floorPlanTables(db: Executor, eventId: string, tableId?: string): Promise<FloorTable[]> {
  return (await floorTables(db, eventId, tableId)).map(toFloorTable);
}

export async function getFloorPlan(deps: Pick<AppDeps, 'database'>, eventId: string) {
  const db = deps.database.db;
  const event = await findEvent(db, eventId);
  if (!event) throw notFound('event');
  return { event_id: event.id, event_status: event.status, tables: await floorPlanTables(db, eventId) };
}

/** What a buyer may know of a table: whether it can still be bought. */
export type PublicTableStatus = 'available' | 'held' | 'sold';

export interface PublicTable {
  id: string;
  status: PublicTableStatus;
}

export function toPublicTable(t: Pick<FloorTable, 'id' | 'status'>): PublicTable {
  return { id: t.id, status: t.status === 'available' ? 'available' : t.status === 'held' ? 'held' : 'sold' };
}

/**
 * The buyer's page: which tables can be bought, and how many GA places are left. No reservation,
 * guest or arrival detail: that is the team's floor plan.
 */
export async function getAvailability(deps: Pick<AppDeps, 'database'>, eventId: string) {
  const db = deps.database.db;
  const event = await findEvent(db, eventId);
  if (!event) throw notFound('event');
  return {
    event_id: event.id,
    event_status: event.status,
    ga_available: event.gaCapacity - event.gaSold,
    tables: (await floorPlanTables(db, eventId)).map(toPublicTable),
  };
}
