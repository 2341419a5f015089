import { doorFigures, type DoorFigures } from '@domain/night-figures.js';
import type { CachedTicket } from '@domain/scanner-cache.js';
import { currentTicketListsEpoch, db, type CacheMeta } from '../lib/db.js';
import type * as contract from '../lib/contract.js';

/** `GET /events/:id/scanner-cache` as the API sends it. */
/** GET /events/:id/scanner-cache: the server's schema, as a type. */
export type ScannerCacheResponse = contract.ScannerCacheResponse;

/** An entry this device made or learnt of: a ticket checked in at `at` by `scannerId`. */
export interface LocalEntry {
  ticketId: string;
  at: Date;
  scannerId: string;
  /** The ticket is its table's host: the table has arrived too. */
  hostArrived: boolean;
}

/**
 * The event's tickets on this device: a Map in memory for instant decisions and search, mirrored
 * in IndexedDB so a scanner that reloads with no network still has them. The server's copy wins on
 * every refresh, except for what this device did offline and has not synced yet (re-applied by the
 * engine after each merge).
 */
export class TicketCache {
  readonly tickets = new Map<string, CachedTicket>();
  meta: CacheMeta | null = null;
  /** The ticket lists' generation this cache belongs to: after a log out it writes nothing more. */
  readonly epoch = currentTicketListsEpoch();

  constructor(readonly eventId: string) {}

  async load(): Promise<boolean> {
    const d = await db();
    this.meta = (await d.get('meta', this.eventId)) ?? null;
    for (const t of await d.getAllFromIndex('tickets', 'byEvent', this.eventId)) {
      const { eventId: _e, ...ticket } = t;
      this.tickets.set(ticket.id, ticket);
    }
    return this.meta !== null;
  }

  /**
   * Takes a full cache or a `?since=` delta from the server and stores it. The server does not know
   * yet about `unsynced` entries (this door let them in offline, the scans are still queued): they
   * are laid over the server's rows in the same synchronous step, so no scan can ever see a ticket
   * this door already admitted as `valid` again.
   */
  async apply(r: ScannerCacheResponse, unsynced: Iterable<LocalEntry>): Promise<void> {
    if (r.full) this.tickets.clear();
    for (const t of r.tickets) this.tickets.set(t.id, t);
    const changed = new Map(r.tickets.map((t) => [t.id, t]));
    for (const e of unsynced) for (const c of this.enter(e)) changed.set(c.id, c);
    this.meta = {
      eventId: this.eventId,
      event: r.event,
      publicKey: r.public_key,
      generatedAt: r.generated_at,
      refreshedAt: new Date().toISOString(),
      reentryWarningSeconds: r.reentry_warning_seconds,
    };
    const database = await db();
    if (currentTicketListsEpoch() !== this.epoch) return;
    const tx = database.transaction(['tickets', 'meta'], 'readwrite');
    const store = tx.objectStore('tickets');
    if (r.full) void store.delete(IDBKeyRange.bound([this.eventId, ''], [this.eventId, '\uffff']));
    for (const t of changed.values()) void store.put({ ...t, eventId: this.eventId });
    void tx.objectStore('meta').put(this.meta);
    await tx.done;
  }

  /** This door let someone in (or heard that someone was let in): the next scan must know. */
  async markEntered(e: LocalEntry): Promise<void> {
    const changed = this.enter(e);
    if (!changed.length) return;
    const database = await db();
    if (currentTicketListsEpoch() !== this.epoch) return;
    const tx = database.transaction('tickets', 'readwrite');
    for (const c of changed) void tx.store.put({ ...c, eventId: this.eventId });
    await tx.done;
  }

  /** In memory, synchronously: the ticket checked in, and the table arrived when it is the host. */
  private enter(e: LocalEntry): CachedTicket[] {
    const changed: CachedTicket[] = [];
    const t = this.tickets.get(e.ticketId);
    if (t && t.status === 'valid') {
      const next = {
        ...t,
        status: 'checked_in' as const,
        checked_in_at: e.at.toISOString(),
        first_scanner_id: e.scannerId,
      };
      this.tickets.set(t.id, next);
      changed.push(next);
    }
    const reservationId = t?.reservation?.id;
    if (e.hostArrived && reservationId) {
      for (const other of this.tickets.values()) {
        if (other.reservation?.id === reservationId && other.reservation.status === 'confirmed') {
          const next = { ...other, reservation: { ...other.reservation, status: 'checked_in' as const } };
          this.tickets.set(other.id, next);
          changed.push(next);
        }
      }
    }
    return changed;
  }

  /** The table's guest list as this device knows it (for a VIP result decided offline). */
  guestsOf(reservationId: string): Array<{ ticket_id: string; name: string; arrived: boolean }> {
    const out: Array<{ ticket_id: string; name: string; arrived: boolean }> = [];
    for (const t of this.tickets.values()) {
      if (t.reservation?.id === reservationId && t.reservation.role === 'guest')
        out.push({ ticket_id: t.id, name: t.holder_name, arrived: t.status === 'checked_in' });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The night's figures as src/domain/night-figures.ts defines them, from this device's list. */
  counters(scannerId: string): DoorFigures {
    return doorFigures(this.tickets.values(), scannerId);
  }

  /**
   * Finds the guest whose phone died: by name (any order of words, accents ignored), e-mail, or
   * table ("7", "t7", "table 7"). Void tickets come last; at most `limit` hits.
   */
  search(query: string, limit = 12): CachedTicket[] {
    const q = fold(query.trim());
    if (q.length < 2 && !/^\d+$/.test(q)) return [];
    const table = /^(?:t|table)?\s*(\d{1,5})$/.exec(q);
    const words = q.split(/\s+/);
    const hits: CachedTicket[] = [];
    for (const t of this.tickets.values()) {
      const byTable = table && t.reservation?.table_number === Number(table[1]);
      const name = fold(t.holder_name);
      const email = fold(t.email ?? '');
      const byText = words.every((w) => name.includes(w) || email.includes(w));
      if (byTable || byText) hits.push(t);
    }
    const rank = (t: CachedTicket) => (t.status === 'void' || t.status === 'pending' ? 1 : 0);
    return hits.sort((a, b) => rank(a) - rank(b) || a.holder_name.localeCompare(b.holder_name)).slice(0, limit);
  }
}

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
