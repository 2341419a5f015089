import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../database.js';
import { passRegistrations } from '../schema.js';

export type PassRegistrationRow = typeof passRegistrations.$inferSelect;

/** Registers (or re-registers with a new push token) a phone for a pass; true when it is new. */
export async function upsertRegistration(
  db: Executor,
  r: Pick<PassRegistrationRow, 'deviceId' | 'serial' | 'ticketId' | 'generation' | 'pushToken' | 'fingerprint'>,
): Promise<boolean> {
  const [row] = await queryRows<{ created: boolean }>(
    db,
    sql`INSERT INTO pass_registrations (device_id, serial, ticket_id, generation, push_token, fingerprint)
        VALUES (${r.deviceId}, ${r.serial}, ${r.ticketId}, ${r.generation}, ${r.pushToken}, ${r.fingerprint})
        ON CONFLICT (device_id, serial) DO UPDATE SET push_token = EXCLUDED.push_token
        RETURNING (xmax = 0) AS created`,
  );
  return row!.created;
}

export async function deleteRegistration(db: Executor, deviceId: string, serial: string): Promise<void> {
  await db
    .delete(passRegistrations)
    .where(and(eq(passRegistrations.deviceId, deviceId), eq(passRegistrations.serial, serial)));
}

export async function deleteRegistrationsByToken(db: Executor, pushToken: string): Promise<void> {
  await db.delete(passRegistrations).where(eq(passRegistrations.pushToken, pushToken));
}

/** The serials of a phone's passes changed after `since` (all when null). */
export async function changedSerials(
  db: Executor,
  deviceId: string,
  since: Date | null,
): Promise<Array<{ serial: string; changedAt: Date }>> {
  return (
    db
      .select({ serial: passRegistrations.serial, changedAt: passRegistrations.changedAt })
      .from(passRegistrations)
      // Tags are milliseconds (what a Date holds); PostgreSQL keeps microseconds: compare at the tag's precision.
      .where(
        and(
          eq(passRegistrations.deviceId, deviceId),
          since
            ? sql`date_trunc('milliseconds', ${passRegistrations.changedAt}) > ${since.toISOString()}::timestamptz`
            : undefined,
        ),
      )
  );
}

/**
 * Claims up to `limit` registrations whose ticket or event changed since they were last looked at
 * (database time), marking them looked at now. SKIP LOCKED: instances share the work.
 */
export async function claimRegistrationsToCheck(db: Executor, limit: number): Promise<PassRegistrationRow[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`WITH due AS (
          SELECT r.device_id, r.serial FROM pass_registrations r
            JOIN tickets t ON t.id = r.ticket_id JOIN events e ON e.id = t.event_id
           WHERE greatest(t.updated_at, e.updated_at) > r.checked_at
           ORDER BY r.checked_at LIMIT ${limit}
           FOR UPDATE OF r SKIP LOCKED)
        UPDATE pass_registrations r SET checked_at = now() FROM due
         WHERE r.device_id = due.device_id AND r.serial = due.serial
        RETURNING r.*`,
  );
  return rows.map((r) => ({
    deviceId: r.device_id as string,
    serial: r.serial as string,
    ticketId: r.ticket_id as string,
    generation: r.generation as number,
    pushToken: r.push_token as string,
    fingerprint: r.fingerprint as string,
    changedAt: new Date(r.changed_at as string),
    checkedAt: new Date(r.checked_at as string),
    createdAt: new Date(r.created_at as string),
  }));
}

/** What the pass shows now differs from what the phone has: remember it, and when it changed. */
export async function markPassChanged(
  db: Executor,
  deviceId: string,
  serial: string,
  fingerprint: string,
): Promise<void> {
  await db
    .update(passRegistrations)
    .set({ fingerprint, changedAt: sql`now()` })
    .where(and(eq(passRegistrations.deviceId, deviceId), eq(passRegistrations.serial, serial)));
}
