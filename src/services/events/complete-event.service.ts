import type { Tx } from '../../db/database.js';
import { claimEventsDueCompletion, findEvent, updateEvent, type EventRow } from '../../db/repos/events.repo.js';
import { notifyTableChanged } from '../../db/repos/floor.repo.js';
import { listEventOrders } from '../../db/repos/orders.repo.js';
import { listEventReservations, updateReservation } from '../../db/repos/reservations.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { hasStarted } from '../../domain/event-rules.js';
import { eventMachine, reservationMachine, step } from '../../domain/state-machine.js';
import type { AppDeps } from '../deps.js';
import { releaseHold } from '../orders/hold.js';

/**
 * Closes the night in one transaction: hosts who came are `completed`, hosts who never came are
 * `completed` as no-shows, unpaid holds are released, and the event is `completed`, after which
 * nothing about it changes. Lock order: event, then orders, then reservations.
 */
async function completeLocked(tx: Tx, event: EventRow, now: Date): Promise<EventRow> {
  for (const order of await listEventOrders(tx, event.id, ['pending'], { lock: true })) await releaseHold(tx, order);
  for (const r of await listEventReservations(tx, event.id, ['confirmed', 'checked_in'], { lock: true })) {
    const next = step(reservationMachine, r.status, 'complete');
    if (!next.ok) continue;
    await updateReservation(tx, r.id, { status: next.to, noShow: r.status === 'confirmed' });
    await notifyTableChanged(tx, event.id, r.eventTableId);
  }
  const next = step(eventMachine, event.status, 'complete');
  if (!next.ok) return event;
  return updateEvent(tx, event.id, { status: next.to, completedAt: now });
}

/** `POST /events/:id/end`: the owner closes a started event now. Ending twice answers the same. */
export async function endEvent(deps: Pick<AppDeps, 'database' | 'clock'>, eventId: string): Promise<EventRow> {
  const now = deps.clock.now();
  return deps.database.transaction(async (tx) => {
    const event = await findEvent(tx, eventId, { lock: true });
    if (!event) throw notFound('event');
    if (event.status === 'completed') return event;
    if (event.status === 'cancelled') throw new DomainError('event_cancelled', 'A cancelled event cannot be ended');
    if (!hasStarted(event, now)) {
      throw new DomainError('event_not_started', 'The event has not started yet; cancel it instead of ending it');
    }
    return completeLocked(tx, event, now);
  });
}

/** The sweeper's step: completes every event whose `ends_at` has passed. */
export async function completeDueEvents(deps: Pick<AppDeps, 'database' | 'clock'>, batch = 20): Promise<number> {
  const now = deps.clock.now();
  return deps.database.transaction(async (tx) => {
    const due = await claimEventsDueCompletion(tx, now, batch);
    for (const event of due) await completeLocked(tx, event, now);
    return due.length;
  });
}
