import type { Executor } from '../../db/database.js';
import { releaseGaCapacity } from '../../db/repos/events.repo.js';
import { notifyTableChanged } from '../../db/repos/floor.repo.js';
import { updateOrder, type OrderRow } from '../../db/repos/orders.repo.js';
import { findReservationByOrder, updateReservation } from '../../db/repos/reservations.repo.js';
import { listOrderTickets, setTicketsStatus } from '../../db/repos/tickets.repo.js';
import { step, orderMachine, reservationMachine } from '../../domain/state-machine.js';

/**
 * Lets go of an unpaid order's hold: the order expires, its tickets are void, its table and GA
 * places are free again. The caller holds the order's row lock.
 */
export async function releaseHold(tx: Executor, order: OrderRow): Promise<void> {
  const next = step(orderMachine, order.status, 'expire');
  if (!next.ok) return;
  await updateOrder(tx, order.id, { status: next.to });
  const tickets = await listOrderTickets(tx, order.id);
  await setTicketsStatus(
    tx,
    tickets.map((t) => t.id),
    ['pending'],
    'void',
  );
  await releaseGaCapacity(tx, order.eventId, order.gaQuantity);
  const reservation = await findReservationByOrder(tx, order.id, { lock: true });
  if (reservation) {
    const r = step(reservationMachine, reservation.status, 'expire');
    if (r.ok) await updateReservation(tx, reservation.id, { status: r.to });
    await notifyTableChanged(tx, order.eventId, reservation.eventTableId);
  }
}
