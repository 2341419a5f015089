import type { LightMyRequestResponse } from 'fastify';
import { bearer, type TestContext } from './harness.js';
import type { z } from 'zod';
import type * as responses from '../../src/http/responses.js';

/** Thin wrappers over the guest-list endpoints: each returns the raw response, for status and body checks. */
export const linkTicket = (ctx: TestContext, ticketId: string, token: string, inviteCode: string) =>
  ctx.app.inject({
    method: 'POST',
    url: `/api/v1/tickets/${ticketId}/link`,
    headers: bearer(token),
    payload: { invite_code: inviteCode },
  });

export const unlinkTicket = (ctx: TestContext, ticketId: string, token: string) =>
  ctx.app.inject({ method: 'DELETE', url: `/api/v1/tickets/${ticketId}/link`, headers: bearer(token) });

export const removeGuest = (ctx: TestContext, reservationId: string, ticketId: string, token: string) =>
  ctx.app.inject({
    method: 'DELETE',
    url: `/api/v1/reservations/${reservationId}/guests/${ticketId}`,
    headers: bearer(token),
  });

export const doorLink = (
  ctx: TestContext,
  reservationId: string,
  ticketId: string,
  token: string,
  override?: boolean,
) =>
  ctx.app.inject({
    method: 'POST',
    url: `/api/v1/reservations/${reservationId}/guests`,
    headers: bearer(token),
    payload: override === undefined ? { ticket_id: ticketId } : { ticket_id: ticketId, override_capacity: override },
  });

export const getReservation = (ctx: TestContext, reservationId: string, token?: string) =>
  ctx.app.inject({ url: `/api/v1/reservations/${reservationId}`, headers: token ? bearer(token) : {} });

export const errorCode = (res: LightMyRequestResponse): string | undefined =>
  (res.json() as { error?: { code: string } }).error?.code;

export type ReservationJson = z.output<typeof responses.reservationView>;
