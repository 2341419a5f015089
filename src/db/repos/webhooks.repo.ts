import { call, statement } from '../flights.js';

/**
 * Records a provider event id; no row when it was already recorded. Sent in the transaction that
 * applies the event, so "recorded" and "applied" commit together: a crash in between applies nothing
 * and the provider's retry is processed in full. A concurrent duplicate waits on the unique key and
 * then sees the first delivery's row.
 */
const recordWebhookEvent = statement<{ id: string }>(
  'webhook_record_event',
  'INSERT INTO webhook_events (id, type, received_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id',
);

export const recordWebhookEventCall = (id: string, type: string, receivedAt: Date) =>
  call(recordWebhookEvent, [id, type, receivedAt.toISOString()]);
