import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { findReservation } from '../db/repos/reservations.repo.js';
import { findTicket } from '../db/repos/tickets.repo.js';
import { setGuestsMayTransfer } from '../db/repos/transfers.repo.js';
import { notFound } from '../domain/errors.js';
import type { AppDeps } from '../services/deps.js';
import { toTransferView } from '../services/orders/order-view.service.js';
import { loadReservationView } from '../services/reservations/reservation-view.js';
import { getHeldTicketView } from '../services/transfers/held-ticket.service.js';
import { transferTicket } from '../services/transfers/transfer-ticket.service.js';
import { authenticate, callerOf, heldBy, requireOrderAccess, requireTicketAccess, screenOrderCaller } from './auth.js';
import { clientNetwork } from './client-address.js';
import { ALWAYS, errors, heldTicketView, reservationView, transferView } from './responses.js';
import type { ZodApp } from './routes.types.js';
import { idParams, text, tokenQuery } from './schemas.js';
import { BUYER, BUYER_OR_QUERY } from './security.js';

const transferBody = z.object({ email: z.email().max(320), name: text(100) });
const guestTransfersBody = z.object({ allowed: z.boolean() });

/** Each transfer mails someone: per client network, no faster than friends are really sent tickets. */
const TRANSFERS_PER_MINUTE = 20;

/** Tickets passed on to someone else (issue 20): the transfer, the new holder's ticket, the host's consent. */
export function transferRoutes(app: ZodApp, deps: AppDeps): void {
  const withToken = authenticate(
    deps,
    undefined,
    "the ticket's holder's token (the order's manage token, or a transferred ticket's own)",
  );

  app.post(
    '/api/v1/tickets/:id/transfer',
    {
      onRequest: withToken,
      config: {
        rateLimit: {
          max: TRANSFERS_PER_MINUTE,
          timeWindow: 60_000,
          keyGenerator: (r: FastifyRequest) => `transfer:${clientNetwork(r.ip)}`,
        },
      },
      schema: {
        tags: ['buying'],
        summary:
          "Send a ticket to someone else's e-mail, until the event starts: it gets a new code (the old one is refused at the door) and its new holder their own link",
        security: BUYER,
        params: idParams,
        body: transferBody,
        response: { 200: transferView, ...errors(400, 401, 403, 404, 409, 429, ...ALWAYS) },
      },
    },
    async (request) => {
      const caller = await callerOf(deps, request);
      requireTicketAccess(caller, await findTicket(deps.database.db, request.params.id), { ownerToo: false });
      const transfer = await transferTicket(deps, {
        ticketId: request.params.id,
        heldBy: heldBy(caller),
        toEmail: request.body.email,
        toName: request.body.name,
      });
      return toTransferView(transfer);
    },
  );

  app.get(
    '/api/v1/tickets/:id',
    {
      onRequest: withToken,
      schema: {
        tags: ['buying'],
        summary:
          'A ticket as its holder sees it: its code, holder and table (the new holder opens it with their own link after a transfer)',
        security: BUYER_OR_QUERY,
        params: idParams,
        querystring: tokenQuery,
        response: { 200: heldTicketView, ...errors(401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      requireTicketAccess(await callerOf(deps, request), await findTicket(deps.database.db, request.params.id), {
        ownerToo: true,
      });
      return getHeldTicketView(deps, request.params.id);
    },
  );

  app.put(
    '/api/v1/reservations/:id/guest-transfers',
    {
      onRequest: withToken,
      schema: {
        tags: ['guest list'],
        summary:
          "The host's answer to whether linked guests may pass their place on with their ticket (otherwise a transferred ticket goes as plain GA)",
        security: BUYER,
        params: idParams,
        body: guestTransfersBody,
        response: { 200: reservationView, ...errors(400, 401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      const caller = await callerOf(deps, request);
      screenOrderCaller(caller, { ownerToo: false });
      const reservation = await findReservation(deps.database.db, request.params.id);
      requireOrderAccess(caller, reservation?.orderId ?? null, { ownerToo: false }, 'reservation');
      await setGuestsMayTransfer(deps.database.db, request.params.id, request.body.allowed);
      const view = await loadReservationView(deps.database.db, request.params.id, deps.config.publicUrl);
      if (!view) throw notFound('reservation');
      return view;
    },
  );
}
