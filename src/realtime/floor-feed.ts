import type { Database } from '../db/database.js';
import { FLOOR_CHANNEL } from '../db/repos/floor.repo.js';
import { floorPlanTables, type FloorTable } from '../services/events/read-event.service.js';

export interface FloorSubscriber {
  /** One table changed (its current row). */
  table(table: FloorTable): void;
  /** Changes may have been missed (the database connection was lost): show everything afresh. */
  resync(): void;
  /** The event itself changed status (cancelled, completed). */
  event?(status: string): void;
}

/**
 * Fans table changes out to open floor plans. Writers only `pg_notify` inside their transaction
 * (delivered on commit, by every instance's LISTEN on PostgreSQL, in-process on PGlite); this feed
 * turns each notification into the table's current row and hands it to that event's subscribers.
 * It listens only while someone is watching. When the LISTEN connection comes back after a loss,
 * every subscriber is told to resync; a failed first LISTEN is not remembered (the next
 * subscriber tries again).
 */
export class FloorFeed {
  private readonly subscribers = new Map<string, Set<FloorSubscriber>>();
  private unlisten: Promise<() => Promise<void>> | undefined;

  constructor(
    private readonly database: Database,
    private readonly onError: (err: Error) => void,
  ) {}

  async subscribe(eventId: string, subscriber: FloorSubscriber): Promise<() => void> {
    this.unlisten ??= this.database
      .listen(
        FLOOR_CHANNEL,
        (payload) => void this.dispatch(payload),
        () => this.resyncAll(),
      )
      .catch((err: unknown) => {
        this.unlisten = undefined;
        throw err;
      });
    await this.unlisten;
    let set = this.subscribers.get(eventId);
    if (!set) this.subscribers.set(eventId, (set = new Set()));
    set.add(subscriber);
    return () => {
      set.delete(subscriber);
      if (!set.size) this.subscribers.delete(eventId);
    };
  }

  async close(): Promise<void> {
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    this.subscribers.clear();
    if (unlisten) await (await unlisten.catch(() => async () => {}))();
  }

  private resyncAll(): void {
    for (const set of this.subscribers.values()) for (const s of [...set]) s.resync();
  }

  private async dispatch(payload: string): Promise<void> {
    try {
      const {
        event_id: eventId,
        table_id: tableId,
        event_status: status,
      } = JSON.parse(payload) as { event_id: string; table_id?: string; event_status?: string };
      const set = this.subscribers.get(eventId);
      if (!set?.size) return;
      if (status) {
        for (const s of [...set]) s.event?.(status);
        return;
      }
      if (!tableId) return;
      const [table] = await floorPlanTables(this.database.db, eventId, tableId);
      if (table) for (const s of [...set]) s.table(table);
    } catch (err) {
      this.onError(err as Error);
    }
  }
}
