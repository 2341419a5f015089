import { changeCursor, doorTickets } from '../../db/repos/door.repo.js';
import { findEvent } from '../../db/repos/events.repo.js';
import { notFound } from '../../domain/errors.js';
import { toCachedTicket, type CachedEvent, type CachedTicket } from '../../domain/scanner-cache.js';
import type { AppDeps } from '../deps.js';

export interface ScannerCache {
  event: CachedEvent;
  public_key: string;
  /** Pass this back as `?since=` to fetch only what changed afterwards (database time). */
  generated_at: string;
  /** True when this is every ticket; false when only changes since `since`. */
  full: boolean;
  since?: string;
  reentry_warning_seconds: number;
  tickets: CachedTicket[];
}

/**
 * `GET /events/:id/scanner-cache`: everything a scanner needs to decide offline, for every paid
 * ticket of the event and every void one (so the device can refuse it), plus the key that verifies
 * codes. Pending tickets are left out (they admit nobody); paying one touches its row, so the next
 * `?since=` brings it.
 */
export async function getScannerCache(
  deps: Pick<AppDeps, 'database' | 'keys' | 'config'>,
  eventId: string,
  since: Date | null,
): Promise<ScannerCache> {
  const db = deps.database.db;
  // Taken before the read: a change committed meanwhile is sent now and again next time, which is
  // harmless (scanners replace cached tickets by id); see changeCursor for why none is ever missed.
  const generatedAt = await changeCursor(db, deps.database.kind);
  const event = await findEvent(db, eventId);
  if (!event) throw notFound('event');
  const rows = await doorTickets(db, { eventId, since });
  const out: ScannerCache = {
    event: {
      id: event.id,
      name: event.name,
      status: event.status,
      starts_at: event.startsAt.toISOString(),
      ends_at: event.endsAt.toISOString(),
      min_age: event.minAge,
    },
    public_key: deps.keys.signer.publicKey,
    generated_at: generatedAt.toISOString(),
    full: since === null,
    reentry_warning_seconds: deps.config.reentryWarningSeconds,
    tickets: rows.map(toCachedTicket),
  };
  if (since) out.since = since.toISOString();
  return out;
}
