import QRCode from 'qrcode';
import { z } from 'zod';
import { findTicket } from '../db/repos/tickets.repo.js';
import { DomainError, notFound } from '../domain/errors.js';
import type { AppDeps } from '../services/deps.js';
import { getOrderView, paymentView } from '../services/orders/order-view.service.js';
import { payLocal } from '../services/orders/pay-order.service.js';
import { placeOrder } from '../services/orders/place-order.service.js';
import { renameTicket } from '../services/orders/rename-ticket.service.js';
import { findOrder } from '../db/repos/orders.repo.js';
import type { FastifyRequest } from 'fastify';
import { authenticate, callerOf, heldBy, requireOrderAccess, requireTicketAccess, screenOrderCaller } from './auth.js';
import { getHeldTicketView } from '../services/transfers/held-ticket.service.js';
import { id, idParams, locale, text, token, tokenQuery } from './schemas.js';
import { clientNetwork } from './client-address.js';
import { clientKeyOf } from '../auth/client-key.js';
import type { ZodApp } from './routes.types.js';
import { ALWAYS, errors, heldTicketView, orderView, placedOrder } from './responses.js';
import { BUYER, BUYER_OR_QUERY, PUBLIC } from './security.js';
import { acceptedLanguages, matchLocale } from '../i18n/locales.js';

const placeOrderBody = z.object({
  email: z.email().max(320),
  name: text(100),
  ga_quantity: z.int().min(1).max(100),
  table_id: id.optional(),
  /** Who holds each ticket, in order (the first is the buyer's own); missing names are the buyer's. */
  holder_names: z.array(text(100)).max(100).optional(),
  /** Required (true) when the event has a minimum age: the buyer says they are old enough. */
  age_confirmed: z.boolean().optional(),
  /** The promoter link the buyer came through (`/e/:id?p=CODE`); unknown codes are ignored. */
  promoter_code: token(64).optional(),
  /** The language the buyer reads, for the order's mails; not sent: their Accept-Language, else the event's. */
  locale: locale.optional(),
});

const renameBody = z.object({ holder_name: text(100) });

/** Ticket renames per client network per minute (an order holds at most VELVET_MAX_TICKETS_PER_ORDER). */
const RENAMES_PER_MINUTE = 60;

export function orderRoutes(app: ZodApp, deps: AppDeps): void {
  const withToken = authenticate(deps);
  // The order's own token, or (where allowed) the owner; the order looked up only after that.
  const orderAccess = async (request: FastifyRequest, orderId: string, ownerToo: boolean) => {
    const caller = await callerOf(deps, request);
    screenOrderCaller(caller, { ownerToo });
    const order = await findOrder(deps.database.db, orderId);
    requireOrderAccess(caller, order?.id ?? null, { ownerToo });
  };
  app.post(
    '/api/v1/events/:id/orders',
    {
      // Anyone may place an order, which holds stock: per client address, orders come no faster
      // than people buy (per e-mail too: placeOrder counts them in the database, across instances).
      config: {
        rateLimit: {
          max: deps.config.ordersPerMinutePerAddress,
          timeWindow: 60_000,
          keyGenerator: (r: FastifyRequest) => `orders:${clientNetwork(r.ip)}`,
        },
      },
      schema: {
        tags: ['buying'],
        summary:
          "Place an order: GA tickets, and at most one table with its purchaser's own ticket; holds them until paid",
        security: PUBLIC,
        params: idParams,
        body: placeOrderBody,
        response: { 201: placedOrder, ...errors(400, 404, 409, 429, 502, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { order, manageToken } = await placeOrder(deps, {
        eventId: request.params.id,
        email: b.email,
        name: b.name,
        gaQuantity: b.ga_quantity,
        tableId: b.table_id,
        holderNames: b.holder_names,
        ageConfirmed: b.age_confirmed,
        promoterCode: b.promoter_code,
        locale: b.locale ?? matchLocale(acceptedLanguages(request.headers['accept-language'])),
        clientKey: clientKeyOf(deps.keys.manageKey, clientNetwork(request.ip)),
      });
      return reply.status(201).send({
        order_id: order.id,
        status: order.status,
        amount_cents: order.amountCents,
        currency: order.currency,
        expires_at: order.expiresAt.toISOString(),
        manage_token: manageToken,
        manage_url: `${deps.config.publicUrl}/orders/${order.id}#token=${manageToken}`,
        payment: paymentView(order),
      });
    },
  );

  app.get(
    '/api/v1/orders/:id',
    {
      onRequest: withToken,
      schema: {
        tags: ['buying'],
        summary: 'Your order: status, tickets with their codes, table and guests, refund',
        security: BUYER_OR_QUERY,
        params: idParams,
        querystring: tokenQuery,
        response: { 200: orderView, ...errors(401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      await orderAccess(request, request.params.id, true);
      return getOrderView(deps, request.params.id);
    },
  );

  app.post(
    '/api/v1/orders/:id/pay-local',
    {
      onRequest: withToken,
      schema: {
        tags: ['buying'],
        summary: 'Test mode only (local provider): pay the order as a payment webhook would',
        security: BUYER,
        params: idParams,
        response: { 200: orderView, ...errors(401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      await orderAccess(request, request.params.id, false);
      await payLocal(deps, request.params.id);
      return getOrderView(deps, request.params.id);
    },
  );

  app.post(
    '/api/v1/orders/:id/cancel',
    {
      onRequest: withToken,
      schema: {
        tags: ['buying'],
        summary: 'Always refused (409 sales_final): all sales are final',
        security: BUYER,
        params: idParams,
        response: { ...errors(401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      await orderAccess(request, request.params.id, false);
      throw new DomainError(
        'sales_final',
        'All sales are final: orders cannot be cancelled. If the event is cancelled, you are refunded in full automatically.',
      );
    },
  );

  app.patch(
    '/api/v1/tickets/:id',
    {
      onRequest: withToken,
      // A buyer names a few tickets once; anything faster is somebody else's load on the door.
      config: {
        rateLimit: {
          max: RENAMES_PER_MINUTE,
          timeWindow: 60_000,
          keyGenerator: (r: FastifyRequest) => `rename:${clientNetwork(r.ip)}`,
        },
      },
      schema: {
        tags: ['buying'],
        summary:
          'Name who holds a ticket (the door finds people by it), until the event starts; answers the order (the ticket, to its holder after a transfer)',
        security: BUYER,
        params: idParams,
        body: renameBody,
        response: { 200: z.union([orderView, heldTicketView]), ...errors(400, 401, 403, 404, 409, 429, ...ALWAYS) },
      },
    },
    async (request) => {
      const caller = await callerOf(deps, request);
      requireTicketAccess(caller, await findTicket(deps.database.db, request.params.id), { ownerToo: false });
      const renamed = await renameTicket(deps, request.params.id, request.body.holder_name, heldBy(caller));
      return caller.kind === 'holder' ? getHeldTicketView(deps, renamed.id) : getOrderView(deps, renamed.orderId);
    },
  );

  app.get(
    '/api/v1/tickets/:id/qr.svg',
    {
      onRequest: withToken,
      schema: {
        tags: ['buying'],
        summary: "A ticket's QR code as SVG",
        security: BUYER_OR_QUERY,
        params: idParams,
        querystring: tokenQuery,
        produces: ['image/svg+xml', 'application/json'],
        response: { 200: z.string().describe('image/svg+xml'), ...errors(401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const caller = await callerOf(deps, request);
      const ticket = await findTicket(deps.database.db, request.params.id);
      requireTicketAccess(caller, ticket, { ownerToo: true });
      if (!ticket) throw notFound('ticket');
      if (!ticket.qr || (ticket.status !== 'valid' && ticket.status !== 'checked_in')) {
        throw new DomainError('ticket_not_valid', `This ticket has no code to show (status ${ticket.status})`);
      }
      const svg = await QRCode.toString(ticket.qr, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return reply.type('image/svg+xml').header('cache-control', 'private, no-store').send(svg);
    },
  );
}
