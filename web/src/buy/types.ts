import { salesClosedReason } from '@domain/event-rules.js';
import type * as contract from '../lib/contract.js';
import { t } from '../lib/i18n.js';

/** The API's answers the buyer pages read: the server's schemas, as types (lib/contract.ts). */
export type PublicEvent = contract.EventView;
export type OrderView = contract.OrderView;
export type OrderTicket = OrderView['tickets'][number];
export type HeldTicket = contract.HeldTicket;
export type Reservation = contract.ReservationView;
export type PlacedOrder = contract.PlacedOrder;
export type InviteView = contract.InviteView;

/** Why a night takes no orders, in words (the server's own rule, src/domain/event-rules.ts); null while it sells. */
export function salesClosed(e: Pick<PublicEvent, 'status' | 'starts_at' | 'ends_at'>, now = new Date()): string | null {
  const reason = salesClosedReason(
    { status: e.status, startsAt: new Date(e.starts_at), endsAt: new Date(e.ends_at) },
    now,
  );
  return reason && t(`buy.closed.${reason}`);
}
