import QRCode from 'qrcode';
import { holderTokenFor, manageTokenFor } from '../../auth/capability.js';
import { doorTickets } from '../../db/repos/door.repo.js';
import { findTicket } from '../../db/repos/tickets.repo.js';
import { findTransfer } from '../../db/repos/transfers.repo.js';
import { renderTransferMail, renderVoidedMail } from '../../mail/transfer-mail.js';
import { findEvent } from '../../db/repos/events.repo.js';
import {
  claimDueMails,
  markMailFailed,
  markMailSent,
  scheduleMailRetry,
  type ClaimedMail,
} from '../../db/repos/mails.repo.js';
import { findOrder, type OrderRow } from '../../db/repos/orders.repo.js';
import { renderOfferMail } from '../../mail/waitlist-mail.js';
import { retryDelayMs } from '../../domain/backoff.js';
import { renderOrderMail, type WalletLinks } from '../../mail/order-mails.js';
import { googleSaveUrl } from '../wallet/pass-updates.service.js';
import { walletTicket } from '../wallet/wallet-pass.service.js';
import type { MailTransport, OutgoingMail } from '../../mail/transport.js';
import type { AppDeps } from '../deps.js';
import type { TokenBucket } from '../jobs/token-bucket.js';
import { getOrderView } from '../orders/order-view.service.js';
import { DEFAULT_LOCALE, isLocale } from '../../i18n/locales.js';
import { loadCatalogue } from '../../i18n/catalogues.js';
import { translator, type Translator } from '../../i18n/translator.js';

export interface MailBatchOptions {
  transport: MailTransport;
  timeZone: string;
  batchSize?: number;
  /** Paces composing and sending (config.mailRatePerSecond); unpaced without. */
  rate?: TokenBucket;
  leaseMs?: number;
  maxAttempts?: number;
  log?: (msg: string) => void;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_MAX_ATTEMPTS = 20;

type MailDeps = Pick<AppDeps, 'database' | 'clock' | 'config' | 'keys' | 'wallets'>;

/**
 * One pass of the mail outbox, the refund outbox's pattern (refunds.md):
 *  1. claim due mails with FOR UPDATE SKIP LOCKED and a lease (committed before sending);
 *  2. compose each from the order as it is now and send it, outside any transaction;
 *  3. record `sent` only while the claim is ours; a failure is retried with backoff, then failed.
 * A crash between 2 and 3 leaves the lease to expire and the mail is sent again: SMTP cannot be
 * asked whether a message arrived, so "never twice" rests on the fixed Message-ID, which mail
 * clients use to drop the copy (and the .eml transport overwrites the same file).
 */
export async function processDueMails(deps: MailDeps, opts: MailBatchOptions): Promise<number> {
  const now = deps.clock.now();
  const leaseUntil = new Date(now.getTime() + (opts.leaseMs ?? DEFAULT_LEASE_MS));
  const claimed = await deps.database.transaction((tx) => claimDueMails(tx, now, leaseUntil, opts.batchSize ?? 10));
  await Promise.all(claimed.map((mail) => sendOne(deps, opts, mail)));
  return claimed.length;
}

async function sendOne(deps: MailDeps, opts: MailBatchOptions, mail: ClaimedMail): Promise<void> {
  await opts.rate?.take();
  const db = deps.database.db;
  const log = opts.log ?? (() => {});
  let outgoing: OutgoingMail | string;
  try {
    outgoing = await composeMail(deps, mail, opts.timeZone);
  } catch (err) {
    outgoing = `could not be composed: ${(err as Error).message}`;
  }
  if (typeof outgoing === 'string') {
    await markMailFailed(db, mail.id, mail.leaseToken, outgoing);
    log(`mail ${mail.id}: ${outgoing}`);
    return;
  }
  try {
    await opts.transport.send(outgoing);
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    if (mail.attempts < (opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
      const delay = retryDelayMs(mail.attempts, Math.random());
      await scheduleMailRetry(db, mail.id, mail.leaseToken, new Date(deps.clock.now().getTime() + delay), message);
      log(`mail ${mail.id}: attempt ${mail.attempts} failed, retrying in ${delay} ms: ${message}`);
    } else {
      await markMailFailed(db, mail.id, mail.leaseToken, `gave up after ${mail.attempts} attempts: ${message}`);
      log(`mail ${mail.id}: gave up after ${mail.attempts} attempts: ${message}`);
    }
    return;
  }
  if (!(await markMailSent(db, mail.id, mail.leaseToken, deps.clock.now()))) {
    log(
      `mail ${mail.id}: sent, but this worker's claim had run out; another worker may send it again (same Message-ID)`,
    );
  }
}

/**
 * A mail's words: the language its order was bought in, else its event's (an order placed without
 * one); dates in the event's time zone. English mails use British formats (a 24-hour clock, the day
 * before the month), as they did before there were languages.
 */
async function mailTranslator(language: string, timeZone: string): Promise<Translator> {
  const locale = isLocale(language) ? language : DEFAULT_LOCALE;
  await loadCatalogue(locale);
  return translator(locale, { timeZone, formatLocale: locale === 'en' ? 'en-GB' : undefined });
}

/** The language of the order a ticket came from (a transferred ticket's mails read like its buyer's). */
async function orderLocale(db: MailDeps['database']['db'], orderId: string, eventLocale: string): Promise<string> {
  return (await findOrder(db, orderId))?.locale ?? eventLocale;
}

/** The mail as it should read now, or why it should not be sent at all. */
async function composeMail(deps: MailDeps, mail: ClaimedMail, timeZone: string): Promise<OutgoingMail | string> {
  if (mail.kind === 'ticket_transferred') return composeTransferMail(deps, mail, timeZone);
  if (mail.kind === 'ticket_voided') return composeVoidedMail(deps, mail, timeZone);
  const order = await findOrder(deps.database.db, mail.orderId);
  if (!order) return 'its order no longer exists';
  if (mail.kind === 'waitlist_offer') return composeOfferMail(deps, mail, order, timeZone);
  if (mail.kind === 'order_paid' && order.status !== 'paid')
    return `not sent: the order is ${order.status} now (its refund mail tells the buyer)`;
  const event = await findEvent(deps.database.db, order.eventId);
  if (!event) return 'its event no longer exists';
  const view = await getOrderView(deps, order.id);
  const { token } = manageTokenFor(deps.keys.manageKey, order.id);
  const attachments: OutgoingMail['attachments'] = [];
  const qrCids = new Map<string, string>();
  if (mail.kind === 'order_paid') {
    for (const [i, t] of view.tickets.entries()) {
      if (!t.qr) continue;
      const cid = `ticket-${i + 1}@velvet`;
      qrCids.set(t.id, cid);
      // 4 pixels per module (about 240 px, the size the mail shows it at): whole pixels keep the
      // modules sharp, and it renders in ~4 ms where 480 px took ~20 ms, which capped a presale at
      // ~25 paid orders a second on two cores (BENCHMARKS.md).
      const png = await QRCode.toBuffer(t.qr, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 4 });
      attachments.push({ filename: `ticket-${i + 1}.png`, content: png, contentType: 'image/png', cid });
    }
  }
  const walletLinks = new Map<string, WalletLinks>();
  if (mail.kind === 'order_paid')
    for (const t of view.tickets) if (t.qr) walletLinks.set(t.id, await walletLinksOf(deps, t.id, token));
  const rendered = renderOrderMail({
    walletLinks,
    kind: mail.kind,
    event: {
      name: event.name,
      startsAt: event.startsAt,
      endsAt: event.endsAt,
      status: event.status,
      venueName: event.venueName,
      venueAddress: event.venueAddress,
    },
    order: view,
    buyerName: order.name,
    manageUrl: `${deps.config.publicUrl}/orders/${order.id}#token=${token}`,
    t: await mailTranslator(order.locale ?? event.locale, timeZone),
    qrCids,
  });
  return { to: mail.recipient, messageId: mail.messageId, attachments, ...rendered };
}

/** The new holder's mail: their ticket's current code and their own link, if the ticket is still theirs. */
async function composeTransferMail(
  deps: MailDeps,
  mail: ClaimedMail,
  timeZone: string,
): Promise<OutgoingMail | string> {
  const db = deps.database.db;
  const transfer = mail.transferId ? await findTransfer(db, mail.transferId) : null;
  if (!transfer) return 'its transfer no longer exists';
  const ticket = await findTicket(db, transfer.ticketId);
  const event = ticket && (await findEvent(db, ticket.eventId));
  if (!ticket || !event || !ticket.qr) return 'its ticket no longer exists';
  if (ticket.codeGeneration !== transfer.generation)
    return 'not sent: the ticket was passed on again before this mail went out';
  if (ticket.status !== 'valid' && ticket.status !== 'checked_in')
    return `not sent: the ticket is ${ticket.status} now`;
  const [door] = await doorTickets(db, { ticketId: ticket.id });
  const table = door?.table?.role === 'guest' ? { number: door.table.tableNumber, tier: door.table.tier } : null;
  const { token } = holderTokenFor(deps.keys.manageKey, ticket.id, transfer.generation);
  const qrCid = 'ticket-1@velvet';
  const png = await QRCode.toBuffer(ticket.qr, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 4 });
  const rendered = renderTransferMail({
    event,
    fromName: transfer.fromName,
    toName: transfer.toName,
    ticketUrl: `${deps.config.publicUrl}/tickets/${ticket.id}#token=${token}`,
    wallet: await walletLinksOf(deps, ticket.id, token),
    table,
    t: await mailTranslator(await orderLocale(db, ticket.orderId, event.locale), timeZone),
    qrCid,
  });
  return {
    to: mail.recipient,
    messageId: mail.messageId,
    attachments: [{ filename: 'ticket.png', content: png, contentType: 'image/png', cid: qrCid }],
    ...rendered,
  };
}

/** A ticket's wallet links for a mail, each only when that wallet is configured (the token rides in the query, redacted in logs). */
async function walletLinksOf(deps: MailDeps, ticketId: string, token: string): Promise<WalletLinks> {
  const links: WalletLinks = {};
  if (deps.wallets.apple)
    links.apple = `${deps.config.publicUrl}/api/v1/tickets/${ticketId}/wallet.pkpass?token=${token}`;
  if (deps.wallets.google)
    links.google = await googleSaveUrl(deps, await walletTicket(deps.database.db, deps.keys, ticketId));
  return links;
}

/** The waitlist's offer, while the places are still held for them (paid or lapsed: nothing to say). */
async function composeOfferMail(
  deps: MailDeps,
  mail: ClaimedMail,
  order: OrderRow,
  timeZone: string,
): Promise<OutgoingMail | string> {
  if (order.status !== 'pending') return `not sent: the offer is ${order.status} already`;
  const event = await findEvent(deps.database.db, order.eventId);
  if (!event) return 'its event no longer exists';
  const { token } = manageTokenFor(deps.keys.manageKey, order.id);
  const rendered = renderOfferMail({
    event,
    name: order.name,
    quantity: order.gaQuantity,
    amountCents: order.amountCents,
    currency: order.currency,
    heldUntil: order.expiresAt,
    payUrl: `${deps.config.publicUrl}/orders/${order.id}#token=${token}`,
    t: await mailTranslator(order.locale ?? event.locale, timeZone),
  });
  return { to: mail.recipient, messageId: mail.messageId, attachments: [], ...rendered };
}

/** A transferred ticket's holder, told it no longer admits anyone (its order refunded, or the night cancelled). */
async function composeVoidedMail(deps: MailDeps, mail: ClaimedMail, timeZone: string): Promise<OutgoingMail | string> {
  const db = deps.database.db;
  const transfer = mail.transferId ? await findTransfer(db, mail.transferId) : null;
  const ticket = transfer && (await findTicket(db, transfer.ticketId));
  const event = ticket && (await findEvent(db, ticket.eventId));
  if (!transfer || !ticket || !event) return 'its ticket no longer exists';
  if (ticket.status !== 'void') return `not sent: the ticket is ${ticket.status}`;
  return {
    to: mail.recipient,
    messageId: mail.messageId,
    attachments: [],
    ...renderVoidedMail({
      event,
      toName: ticket.holderName,
      fromName: transfer.fromName,
      cancelled: event.status === 'cancelled',
      t: await mailTranslator(await orderLocale(db, ticket.orderId, event.locale), timeZone),
    }),
  };
}
