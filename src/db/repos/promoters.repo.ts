import { asc, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../database.js';
import { call, statement } from '../flights.js';
import { promoters } from '../schema.js';

export type PromoterRow = typeof promoters.$inferSelect;

export async function listPromoters(db: Executor): Promise<PromoterRow[]> {
  return db.select().from(promoters).orderBy(asc(promoters.name), asc(promoters.code));
}

/** Null when the code is taken (the unique index decides, also under races). */
export async function insertPromoter(
  db: Executor,
  p: { name: string; code: string; createdBy: string },
): Promise<PromoterRow | null> {
  const [row] = await db.insert(promoters).values(p).onConflictDoNothing({ target: promoters.code }).returning();
  return row ?? null;
}

/**
 * The order just held came through a promoter's link: sent in the hold's own flight, after the
 * statement that inserted the order, so attribution commits with the order or not at all. An
 * unknown code attributes nothing. $1 order, $2 code (any case).
 */
const attribute = statement<unknown>(
  'order_attribute_promoter',
  `UPDATE orders SET promoter_id = p.id FROM promoters p WHERE orders.id = $1 AND p.code = lower($2)`,
);

export const attributePromoterCall = (orderId: string, code: string) => call(attribute, [orderId, code]);

export interface PromoterFigures {
  id: string;
  name: string;
  code: string;
  orders: number;
  tickets: number;
  tables: number;
  revenue_cents: number;
  refunded_cents: number;
  admitted: number;
}

/**
 * Per promoter, for one night: paid orders (refunded ones too: money was taken), the tickets and
 * tables they held, the money taken and given back, and how many of their tickets came in (checked
 * in, as every other count of the night). Every promoter is listed, with zeros where they sold nothing.
 */
export async function promoterFigures(db: Executor, eventId: string): Promise<PromoterFigures[]> {
  return queryRows<PromoterFigures>(
    db,
    sql`SELECT p.id, p.name, p.code,
               count(o.id)::int AS orders,
               coalesce(sum(o.ga_quantity), 0)::int AS tickets,
               count(o.event_table_id)::int AS tables,
               coalesce(sum(o.amount_cents), 0)::int AS revenue_cents,
               coalesce(sum(o.refunded_cents), 0)::int AS refunded_cents,
               coalesce(sum((SELECT count(*) FROM tickets k WHERE k.order_id = o.id AND k.status = 'checked_in')), 0)::int AS admitted
          FROM promoters p
          LEFT JOIN orders o ON o.promoter_id = p.id AND o.event_id = ${eventId} AND o.status IN ('paid', 'refunded')
         GROUP BY p.id, p.name, p.code
         ORDER BY revenue_cents DESC, p.name, p.code`,
  );
}
