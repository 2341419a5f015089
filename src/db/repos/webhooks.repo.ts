import type { Executor } from '../database.js';
import { webhookEvents } from '../schema.js';

/**
 * Records a provider event id; false when it was already recorded. Called in the transaction that
 * applies the event, so "recorded" and "applied" commit together: a crash in between applies nothing
 * and the provider's retry is processed in full. A concurrent duplicate waits on the unique key and
 * then sees the first delivery's row.
 */
export async function recordWebhookEvent(db: Executor, id: string, type: string, receivedAt: Date): Promise<boolean> {
  const rows = await db
    .insert(webhookEvents)
    .values({ id, type, receivedAt })
    .onConflictDoNothing({ target: webhookEvents.id })
    .returning({ id: webhookEvents.id });
  return rows.length === 1;
}
