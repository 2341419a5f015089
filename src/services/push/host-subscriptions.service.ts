import { findEvent } from '../../db/repos/events.repo.js';
import {
  countSubscriptions,
  deleteSubscription,
  saveSubscription,
  type PushTarget,
} from '../../db/repos/pushes.repo.js';
import { findReservation } from '../../db/repos/reservations.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';

export interface SubscriptionState {
  subscribed: boolean;
  /** The host's devices that will be told. */
  devices: number;
}

/**
 * `PUT /reservations/:id/push-subscription`: the host's device asks to be told when each guest
 * arrives. Only for a table that is paid and a night that has not ended (nothing would come). The
 * caller has checked the reservation's order token. The endpoint is a URL the server will POST
 * to, given by a buyer: it must be HTTPS on a named host (every browser's push service is), so
 * it cannot be aimed at the server's own network; VELVET_PUSH_ALLOW_HTTP lifts that for tests.
 */
export async function subscribeHost(
  deps: Pick<AppDeps, 'database' | 'clock' | 'config'>,
  reservationId: string,
  target: PushTarget,
): Promise<SubscriptionState> {
  const problem = endpointProblem(target.endpoint, deps.config.push.allowHttpEndpoints);
  if (problem)
    throw new DomainError('invalid_request', `The push subscription's endpoint ${problem}`, { endpoint: problem });
  return deps.database.transaction(async (tx) => {
    const reservation = await findReservation(tx, reservationId, { lock: true });
    if (!reservation) throw notFound('reservation');
    if (reservation.status !== 'confirmed' && reservation.status !== 'checked_in') {
      throw new DomainError(
        'reservation_not_active',
        `This table is ${reservation.status}: there are no arrivals to tell you about`,
      );
    }
    const event = await findEvent(tx, reservation.eventId);
    if (!event || event.status !== 'scheduled' || event.endsAt <= deps.clock.now())
      throw new DomainError('event_ended', 'This event has ended');
    await saveSubscription(tx, reservationId, target);
    return { subscribed: true, devices: await countSubscriptions(tx, reservationId) };
  });
}

/** `DELETE /reservations/:id/push-subscription`: this device no longer wants to be told (idempotent). */
export async function unsubscribeHost(
  deps: Pick<AppDeps, 'database'>,
  reservationId: string,
  endpoint: string,
): Promise<SubscriptionState> {
  const db = deps.database.db;
  if (!(await findReservation(db, reservationId))) throw notFound('reservation');
  await deleteSubscription(db, reservationId, endpoint);
  return { subscribed: false, devices: await countSubscriptions(db, reservationId) };
}

function endpointProblem(endpoint: string, allowHttp: boolean): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'is not a URL';
  }
  if (allowHttp) return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'must be an https URL';
  if (url.protocol !== 'https:') return 'must be an https URL';
  const host = url.hostname;
  if (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^[\d.]+$/.test(host) ||
    host.startsWith('[') ||
    !host.includes('.')
  ) {
    return "must name a push service's host, not an address";
  }
  return null;
}
