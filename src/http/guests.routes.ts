import { z } from 'zod';
import { findReservation } from '../db/repos/reservations.repo.js';
import { findTicket } from '../db/repos/tickets.repo.js';
import { notFound } from '../domain/errors.js';
import type { AppDeps } from '../services/deps.js';
import { linkAtDoor } from '../services/guests/link-at-door.service.js';
import { linkWithInvite } from '../services/guests/link-with-invite.service.js';
import { readInvite } from '../services/guests/read-invite.service.js';
import { removeGuest } from '../services/guests/remove-guest.service.js';
import { unlinkOwnTicket } from '../services/guests/unlink-own-ticket.service.js';
import { loadReservationView } from '../services/reservations/reservation-view.js';
import {
  authenticate,
  callerOf,
  requireOrderAccess,
  requireRole,
  requireTicketAccess,
  screenOrderCaller,
  type Caller,
} from './auth.js';
import { id, idParams, token, tokenQuery } from './schemas.js';
import { clientNetwork } from './client-address.js';
import type { ZodApp } from './routes.types.js';
import { ALWAYS, errors, inviteView, linked, reservationView, unlinked } from './responses.js';
import { ANY_TOKEN, BUYER, PUBLIC, STAFF } from './security.js';

const linkBody = z.object({ invite_code: token(32) });
const doorLinkBody = z.object({ ticket_id: id, override_capacity: z.boolean().default(false) });
const guestParams = z.object({ id, ticket_id: id });

/** API.md "Guest list": guests link with an invite code, purchasers prune, staff link at the door. */
export function guestRoutes(app: ZodApp, deps: AppDeps): void {
  // Credentials are checked before the body is parsed; the handler then checks them against the
  // ticket or reservation the path names.
  const withToken = authenticate(deps, undefined, "the order's manage token (or a staff login)");
  const staffOrOwner = authenticate(deps, ['staff', 'owner']);

  const inviteGuessing = {
    rateLimit: {
      max: deps.config.inviteAttemptsPerMinute,
      timeWindow: 60_000,
      // Per ticket, not per address: a whole club's guests may share one Wi-Fi address.
      // The id as the database compares it: a UUID in any letter case names the same ticket, and
      // must not buy another 30 guesses.
      keyGenerator: (request: { params: unknown }) =>
        `link:${((request.params as { id?: string }).id ?? '').toLowerCase()}`,
    },
  };

  app.post(
    '/api/v1/tickets/:id/link',
    {
      onRequest: withToken,
      config: inviteGuessing,
      schema: {
        tags: ['guest list'],
        summary: 'Link your GA ticket to a table with its invite code (until the event starts)',
        security: BUYER,
        params: idParams,
        body: linkBody,
        response: { 200: linked, ...errors(400, 401, 403, 404, 409, 429, ...ALWAYS) },
      },
    },
    async (request) => {
      await requireTicketOwner(deps, await callerOf(deps, request), request.params.id);
      return linkWithInvite(deps, { ticketId: request.params.id, inviteCode: request.body.invite_code });
    },
  );

  app.get(
    '/api/v1/invites/:code',
    {
      config: {
        rateLimit: {
          max: deps.config.inviteAttemptsPerMinute,
          timeWindow: 60_000,
          keyGenerator: (r: { ip: string }) => `invites:${clientNetwork(r.ip)}`,
        },
      },
      schema: {
        tags: ['guest list'],
        summary: 'An invite: whose table, which night, and whether it still takes guests (anyone with the code)',
        security: PUBLIC,
        params: z.object({ code: token(32) }),
        response: { 200: inviteView, ...errors(400, 404, 429, ...ALWAYS) },
      },
    },
    async (request) => readInvite(deps, request.params.code),
  );

  app.delete(
    '/api/v1/tickets/:id/link',
    {
      onRequest: withToken,
      schema: {
        tags: ['guest list'],
        summary: 'Unlink your ticket from its table: it is plain GA again (until the event starts)',
        security: BUYER,
        params: idParams,
        response: { 200: unlinked, ...errors(401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      await requireTicketOwner(deps, await callerOf(deps, request), request.params.id);
      return unlinkOwnTicket(deps, request.params.id);
    },
  );

  app.get(
    '/api/v1/reservations/:id',
    {
      onRequest: withToken,
      schema: {
        tags: ['guest list'],
        summary: 'A reservation with its guest list (the purchaser, staff, the owner)',
        security: ANY_TOKEN,
        params: idParams,
        querystring: tokenQuery,
        response: { 200: reservationView, ...errors(401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      const caller = await callerOf(deps, request);
      screenOrderCaller(caller, { ownerToo: true, staffToo: true });
      const reservation = await findReservation(deps.database.db, request.params.id);
      requireOrderAccess(caller, reservation?.orderId ?? null, { ownerToo: true, staffToo: true }, 'reservation');
      if (!reservation) throw notFound('reservation');
      const view = await loadReservationView(deps.database.db, reservation.id, deps.config.publicUrl);
      if (!view) throw notFound('reservation');
      return view;
    },
  );

  app.delete(
    '/api/v1/reservations/:id/guests/:ticket_id',
    {
      onRequest: withToken,
      schema: {
        tags: ['guest list'],
        summary: 'The purchaser removes a guest from their table (until the event starts)',
        security: BUYER,
        params: guestParams,
        response: { 200: unlinked, ...errors(401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      const caller = await callerOf(deps, request);
      screenOrderCaller(caller, { ownerToo: false });
      const reservation = await findReservation(deps.database.db, request.params.id);
      requireOrderAccess(caller, reservation?.orderId ?? null, { ownerToo: false }, 'reservation');
      if (!reservation) throw notFound('reservation');
      return removeGuest(deps, { reservationId: reservation.id, ticketId: request.params.ticket_id });
    },
  );

  app.post(
    '/api/v1/reservations/:id/guests',
    {
      onRequest: staffOrOwner,
      schema: {
        tags: ['guest list'],
        summary: "Staff put a ticket on a table's list at the door (over capacity only with an override, recorded)",
        security: STAFF,
        params: idParams,
        body: doorLinkBody,
        response: { 200: linked, ...errors(400, 401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      const user = requireRole(await callerOf(deps, request), ['staff', 'owner']);
      return linkAtDoor(deps, {
        reservationId: request.params.id,
        ticketId: request.body.ticket_id,
        userId: user.userId,
        overrideCapacity: request.body.override_capacity,
      });
    },
  );
}

/** Only whoever holds a ticket (its order's token, or its new holder's after a transfer) may link or unlink it. */
async function requireTicketOwner(deps: AppDeps, caller: Caller, ticketId: string): Promise<void> {
  requireTicketAccess(caller, await findTicket(deps.database.db, ticketId), { ownerToo: false });
}
