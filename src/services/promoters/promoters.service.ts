import { findEvent } from '../../db/repos/events.repo.js';
import { insertPromoter, listPromoters, promoterFigures, type PromoterRow } from '../../db/repos/promoters.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { decimalAmount } from '../../domain/money.js';
import type { AppDeps } from '../deps.js';
import { csv } from '../orders/order-admin.service.js';

type Deps = Pick<AppDeps, 'database' | 'config'>;

export interface PromoterView {
  id: string;
  name: string;
  code: string;
  /** The public page of an event with `?p=` is the promoter's link for it; this is the home page's. */
  link: string;
  created_at: string;
}

const view = (deps: Deps, p: PromoterRow): PromoterView => ({
  id: p.id,
  name: p.name,
  code: p.code,
  link: `${deps.config.publicUrl}/?p=${p.code}`,
  created_at: p.createdAt.toISOString(),
});

/** `GET /promoters`: the owner's promoters. */
export async function readPromoters(deps: Deps): Promise<{ promoters: PromoterView[] }> {
  return { promoters: (await listPromoters(deps.database.db)).map((p) => view(deps, p)) };
}

/** `POST /promoters`: a promoter with a code for their links, unique however it is capitalised. */
export async function addPromoter(
  deps: Deps,
  ownerId: string,
  input: { name: string; code: string },
): Promise<PromoterView> {
  const row = await insertPromoter(deps.database.db, {
    name: input.name.trim(),
    code: input.code.trim().toLowerCase(),
    createdBy: ownerId,
  });
  if (!row)
    throw new DomainError(
      'promoter_code_taken',
      `Another promoter already has the code ${input.code.trim().toLowerCase()}`,
      { code: 'already taken' },
    );
  return view(deps, row);
}

/** `GET /events/:id/promoters`: what each promoter's buyers bought, got back and how many came in, for one night. */
export async function eventPromoters(deps: Deps, eventId: string) {
  const db = deps.database.db;
  const event = await findEvent(db, eventId);
  if (!event) throw notFound('event');
  return { event_id: event.id, currency: event.currency, promoters: await promoterFigures(db, eventId) };
}

/** `GET /events/:id/export/promoters.csv`: the same, for paying them (money as decimals with the currency). */
export async function promotersCsv(deps: Deps, eventId: string): Promise<string> {
  const { currency, promoters } = await eventPromoters(deps, eventId);
  return csv(
    ['promoter', 'code', 'orders', 'tickets', 'tables', 'revenue', 'refunded', 'currency', 'admitted'],
    promoters.map((p) => [
      p.name,
      p.code,
      p.orders,
      p.tickets,
      p.tables,
      decimalAmount(p.revenue_cents),
      decimalAmount(p.refunded_cents),
      currency,
      p.admitted,
    ]),
  );
}
