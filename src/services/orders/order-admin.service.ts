import { stringify } from 'csv-stringify/sync';
import { findEvent } from '../../db/repos/events.repo.js';
import { listOrderMails } from '../../db/repos/mails.repo.js';
import { eventAttendees, orderScans, searchEventOrders } from '../../db/repos/order-search.repo.js';
import { findOrder } from '../../db/repos/orders.repo.js';
import { listOrderTransfers } from '../../db/repos/transfers.repo.js';
import { notFound } from '../../domain/errors.js';
import { decimalAmount } from '../../domain/money.js';
import type { AppDeps } from '../deps.js';
import { toTransferView } from './order-view.service.js';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** `GET /events/:id/orders?q=`: the owner finds an order by a name, an e-mail, a code or a table. */
export async function findOrders(deps: Pick<AppDeps, 'database'>, eventId: string, q: string | undefined) {
  const db = deps.database.db;
  if (!(await findEvent(db, eventId))) throw notFound('event');
  const rows = await searchEventOrders(db, eventId, q?.trim() || null, 200);
  return {
    orders: rows.map((r) => ({ ...r, created_at: iso(r.created_at)!, paid_at: iso(r.paid_at) })),
  };
}

/** `GET /orders/:id/activity`: what happened to an order after it was bought: its scans, mails and ticket transfers. */
export async function orderActivity(deps: Pick<AppDeps, 'database'>, orderId: string) {
  const db = deps.database.db;
  if (!(await findOrder(db, orderId))) throw notFound('order');
  const scans = await orderScans(db, orderId);
  const mails = await listOrderMails(db, orderId);
  return {
    order_id: orderId,
    scans: scans.map((s) => ({ ...s, scanned_at: iso(s.scanned_at)! })),
    mails: mails.map((m) => ({
      kind: m.kind,
      status: m.status,
      attempts: m.attempts,
      sent_at: iso(m.sentAt),
      last_error: m.lastError,
    })),
    transfers: (await listOrderTransfers(db, orderId)).map(toTransferView),
  };
}

/**
 * A cell a spreadsheet will not run: buyers type names, and `=HYPERLINK(…)` in a name must stay
 * text when the owner opens the export (OWASP "CSV injection"). Spreadsheets split on whatever
 * separator their locale uses (a semicolon in German and French, a tab or a pipe on import), so
 * a formula character is neutralised (a leading `'`) at the start of the cell and after every
 * separator any of them might split on, and a cell holding such a separator is quoted.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const SEPARATOR_THEN_FORMULA = /([,;\t|])(?=[=+\-@])/g;
const SEPARATOR = /[,;\t|]/;

const cell = (v: unknown): string => {
  const s = (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v)).replace(
    SEPARATOR_THEN_FORMULA,
    "$1'",
  );
  return FORMULA_START.test(s) ? `'${s}` : s;
};

/** A CSV the owner opens in a spreadsheet: CRLF lines, every cell neutralised (see `cell`). */
export const csv = (header: string[], rows: unknown[][]) =>
  stringify([header, ...rows.map((r) => r.map(cell))], { record_delimiter: '\r\n', quoted_match: SEPARATOR });

/** `GET /events/:id/export/attendees.csv`: every paid ticket, for the door's paper list or a CRM. */
export async function attendeesCsv(deps: Pick<AppDeps, 'database'>, eventId: string): Promise<string> {
  const db = deps.database.db;
  if (!(await findEvent(db, eventId))) throw notFound('event');
  const rows = await eventAttendees(db, eventId);
  return csv(
    ['ticket_id', 'holder_name', 'kind', 'table', 'status', 'checked_in_at', 'order_id', 'buyer_name', 'buyer_email'],
    rows.map((r) => [
      r.ticket_id,
      r.holder_name,
      r.kind,
      r.table_number,
      r.status,
      iso(r.checked_in_at),
      r.order_id,
      r.buyer_name,
      r.buyer_email,
    ]),
  );
}

/** `GET /events/:id/export/orders.csv`: every order with its money, for the books. */
export async function ordersCsv(deps: Pick<AppDeps, 'database'>, eventId: string): Promise<string> {
  const db = deps.database.db;
  if (!(await findEvent(db, eventId))) throw notFound('event');
  const rows = await searchEventOrders(db, eventId, null, 1_000_000);
  return csv(
    [
      'order_id',
      'created_at',
      'paid_at',
      'status',
      'buyer_name',
      'buyer_email',
      'tickets',
      'table',
      'amount',
      'refunded',
      'currency',
    ],
    rows.map((r) => [
      r.order_id,
      iso(r.created_at),
      iso(r.paid_at),
      r.status,
      r.name,
      r.email,
      r.tickets,
      r.table_number,
      decimalAmount(r.amount_cents),
      decimalAmount(r.refunded_cents),
      r.currency,
    ]),
  );
}
