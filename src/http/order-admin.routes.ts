import { z } from 'zod';
import type { AppDeps } from '../services/deps.js';
import { attendeesCsv, findOrders, orderActivity, ordersCsv } from '../services/orders/order-admin.service.js';
import { refundOrder } from '../services/orders/refund-order.service.js';
import { promotersCsv } from '../services/promoters/promoters.service.js';
import { authenticate } from './auth.js';
import { ALWAYS, errors, foundOrder, orderActivityView, refundOutcome } from './responses.js';
import type { ZodApp } from './routes.types.js';
import { idParams, text } from './schemas.js';
import { OWNER } from './security.js';

/** The owner's "orders and people": search, an order's history, refunding one order, exports. */
export function orderAdminRoutes(app: ZodApp, deps: AppDeps): void {
  const owner = authenticate(deps, ['owner']);

  app.get(
    '/api/v1/events/:id/orders',
    {
      onRequest: owner,
      schema: {
        tags: ['orders'],
        summary:
          "Find an event's orders by buyer or holder name, e-mail, order or ticket code, invite code or table number",
        security: OWNER,
        params: idParams,
        querystring: z.object({ q: text(200, 0).optional() }),
        response: { 200: z.object({ orders: z.array(foundOrder) }), ...errors(400, 401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => findOrders(deps, request.params.id, request.query.q),
  );

  app.get(
    '/api/v1/orders/:id/activity',
    {
      onRequest: owner,
      schema: {
        tags: ['orders'],
        summary:
          "An order's history: every scan of its tickets, the mails sent, and every transfer of a ticket to someone else",
        security: OWNER,
        params: idParams,
        response: { 200: orderActivityView, ...errors(401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => orderActivity(deps, request.params.id),
  );

  app.post(
    '/api/v1/orders/:id/refund',
    {
      onRequest: owner,
      schema: {
        tags: ['orders'],
        summary:
          'Refund one paid order in full (confirmed with the amount shown); unused tickets stop admitting, an unused table is released',
        security: OWNER,
        params: idParams,
        body: z.object({ amount_cents: z.int().min(0).max(1_000_000_000) }),
        response: { 202: refundOutcome, ...errors(400, 401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await refundOrder(deps, request.params.id, request.body.amount_cents)),
  );

  const SUMMARIES = {
    attendees: 'Every paid ticket as CSV (holder, kind, table, check-in, buyer)',
    orders: 'Every order as CSV (status, buyer, tickets, table, money)',
    promoters: 'Per promoter as CSV: orders, tickets, tables, revenue, refunds, admitted (money as decimals)',
  };
  for (const [name, build] of [
    ['attendees', attendeesCsv],
    ['orders', ordersCsv],
    ['promoters', promotersCsv],
  ] as const) {
    app.get(
      `/api/v1/events/:id/export/${name}.csv`,
      {
        onRequest: owner,
        schema: {
          tags: ['orders'],
          summary: SUMMARIES[name],
          security: OWNER,
          params: idParams,
          produces: ['text/csv', 'application/json'],
          response: { 200: z.string().describe('text/csv'), ...errors(401, 403, 404, ...ALWAYS) },
        },
      },
      async (request, reply) =>
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}-${request.params.id.slice(0, 8)}.csv"`)
          .header('cache-control', 'private, no-store')
          .send(await build(deps, request.params.id)),
    );
  }
}
