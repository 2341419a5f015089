import {
  claimDuePushes,
  dropSubscription,
  markPushFailed,
  markPushSent,
  schedulePushRetry,
  type ClaimedPush,
} from '../../db/repos/pushes.repo.js';
import { retryDelayMs } from '../../domain/backoff.js';
import { loadCatalogue } from '../../i18n/catalogues.js';
import { DEFAULT_LOCALE, isLocale } from '../../i18n/locales.js';
import { translator, type Translator } from '../../i18n/translator.js';
import { sendPush, type PushOutcome } from '../../push/web-push.js';
import type { AppDeps } from '../deps.js';
import type { TokenBucket } from '../jobs/token-bucket.js';

export interface PushBatchOptions {
  batchSize?: number;
  /** Paces sending (config.push.ratePerSecond); unpaced without. */
  rate?: TokenBucket;
  leaseMs?: number;
  maxAttempts?: number;
  /** Per request to the push service. */
  timeoutMs?: number;
  log?: (msg: string) => void;
}

/** An arrival is news for an hour; after that the host is at the table and it is noise. */
export const ARRIVAL_TTL_SECONDS = 3600;
const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_MAX_ATTEMPTS = 8;
const DEFAULT_TIMEOUT_MS = 10_000;

type PushDeps = Pick<AppDeps, 'database' | 'clock' | 'config' | 'keys'>;

/** What the host's phone shows, and what the order page's service worker needs to open it. */
export interface ArrivalMessage {
  type: 'guest_arrived';
  title: string;
  body: string;
  /** One notification per arrival, even if the push service delivers twice. */
  tag: string;
  url: string;
  guest_name: string;
  table_number: number;
  arrived: number;
  guests: number;
}

/** The notification in the host's language (their order's, else the event's). */
export function arrivalMessage(
  p: Pick<
    ClaimedPush,
    'guestName' | 'arrivedNth' | 'guestsLinked' | 'tableNumber' | 'eventName' | 'orderId' | 'ticketId'
  >,
  t: Translator,
): ArrivalMessage {
  const words = { guest: p.guestName, nth: p.arrivedNth, guests: p.guestsLinked, table: p.tableNumber };
  return {
    type: 'guest_arrived',
    title: t.t('push.arrived.title', words),
    body: t.t('push.arrived.body', { ...words, event: p.eventName }),
    tag: `arrival-${p.ticketId}`,
    url: `/orders/${p.orderId}`,
    guest_name: p.guestName,
    table_number: p.tableNumber,
    arrived: p.arrivedNth,
    guests: p.guestsLinked,
  };
}

/**
 * One pass of the push outbox, the mail outbox's pattern (mail-worker.service.ts):
 *  1. claim due pushes with FOR UPDATE SKIP LOCKED and a lease (committed before sending), reading
 *     the guest, the table and its arrivals as they are now;
 *  2. send each outside any transaction (never in the scan's: a slow push service must not hold a
 *     door), paced by `rate`;
 *  3. record the outcome only while the claim is ours: delivered → sent; 404/410 → the
 *     subscription is deleted (with what it had pending); 429/5xx/unreachable → retried with
 *     backoff, then failed; anything else → failed. Older than the message's TTL → failed unsent.
 * A crash between 2 and 3 sends it again once the lease runs out; the notification's tag makes
 * the phone show it once.
 */
export async function processDuePushes(deps: PushDeps, opts: PushBatchOptions = {}): Promise<number> {
  const now = deps.clock.now();
  const leaseUntil = new Date(now.getTime() + (opts.leaseMs ?? DEFAULT_LEASE_MS));
  const claimed = await deps.database.transaction((tx) => claimDuePushes(tx, now, leaseUntil, opts.batchSize ?? 20));
  await Promise.all(claimed.map((p) => sendOne(deps, opts, p)));
  return claimed.length;
}

async function sendOne(deps: PushDeps, opts: PushBatchOptions, push: ClaimedPush): Promise<void> {
  const db = deps.database.db;
  const log = opts.log ?? (() => {});
  const age = push.ageSeconds;
  if (age > ARRIVAL_TTL_SECONDS) {
    await markPushFailed(
      db,
      push.id,
      push.leaseToken,
      `not sent: the arrival was queued ${Math.round(age / 60)} minutes ago`,
    );
    return;
  }
  await opts.rate?.take();
  const locale = isLocale(push.locale) ? push.locale : DEFAULT_LOCALE;
  await loadCatalogue(locale);
  const outcome: PushOutcome = await sendPush(
    push.target,
    JSON.stringify(arrivalMessage(push, translator(locale))),
    { vapid: deps.keys.vapid, contact: deps.config.push.contact },
    {
      ttlSeconds: Math.max(60, ARRIVAL_TTL_SECONDS - Math.floor(age)),
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    },
  ).catch((err: unknown) => ({ kind: 'refused' as const, error: `could not be sent: ${(err as Error).message}` }));
  switch (outcome.kind) {
    case 'delivered':
      if (!(await markPushSent(db, push.id, push.leaseToken, deps.clock.now())))
        log(`push ${push.id}: sent, but this worker's claim had run out`);
      return;
    case 'gone':
      await dropSubscription(db, push.subscriptionId);
      log(`push ${push.id}: the subscription is gone (${outcome.status}); removed`);
      return;
    case 'refused':
      await markPushFailed(db, push.id, push.leaseToken, outcome.error);
      log(`push ${push.id}: ${outcome.error}`);
      return;
    case 'retry':
      if (push.attempts < (opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
        const delay = retryDelayMs(push.attempts, Math.random());
        await schedulePushRetry(
          db,
          push.id,
          push.leaseToken,
          new Date(deps.clock.now().getTime() + delay),
          outcome.error,
        );
        log(`push ${push.id}: attempt ${push.attempts} failed, retrying in ${delay} ms: ${outcome.error}`);
      } else {
        await markPushFailed(db, push.id, push.leaseToken, `gave up after ${push.attempts} attempts: ${outcome.error}`);
        log(`push ${push.id}: gave up after ${push.attempts} attempts: ${outcome.error}`);
      }
  }
}
