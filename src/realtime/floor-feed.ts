import type { Database } from '../db/database.js';
import { FLOOR_CHANNEL } from '../db/repos/floor.repo.js';
import { floorPlanTables, type FloorTable } from '../services/events/read-event.service.js';

type Listener = (table: FloorTable) => void;

/**
 * Fans table changes out to open floor plans. Writers only `pg_notify` inside their transaction
 * (delivered on commit, by every instance's LISTEN on PostgreSQL, in-process on PGlite); this feed
 * turns each notification into the table's current row and hands it to that event's listeners.
 * It listens only while someone is watching.
 */
export class FloorFeed {
  private readonly listeners = new Map<string, Set<Listener>>();
  private unlisten: Promise<() => Promise<void>> | undefined;

  constructor(
    private readonly database: Database,
    private readonly onError: (err: Error) => void,
  ) {}

  async subscribe(eventId: string, listener: Listener): Promise<() => void> {
    let set = this.listeners.get(eventId);
    if (!set) this.listeners.set(eventId, (set = new Set()));
    set.add(listener);
    this.unlisten ??= this.database.listen(FLOOR_CHANNEL, (payload) => void this.dispatch(payload));
    await this.unlisten;
    return () => {
      set.delete(listener);
      if (!set.size) this.listeners.delete(eventId);
    };
  }

  async close(): Promise<void> {
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    this.listeners.clear();
    if (unlisten) await (await unlisten)();
  }

  private async dispatch(payload: string): Promise<void> {
    try {
      const { event_id: eventId, table_id: tableId } = JSON.parse(payload) as { event_id: string; table_id: string };
      const set = this.listeners.get(eventId);
      if (!set?.size) return;
      const [table] = await floorPlanTables(this.database.db, eventId, tableId);
      if (table) for (const l of [...set]) l(table);
    } catch (err) {
      this.onError(err as Error);
    }
  }
}
