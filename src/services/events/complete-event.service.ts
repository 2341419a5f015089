import type { Tx } from '../../db/database.js';
import { claimEventsDueCompletion, findEvent, updateEvent, type EventRow } from '../../db/repos/events.repo.js';
import { notifyEventChanged, notifyTableChanged } from '../../db/repos/floor.repo.js';
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
 * nothing about it changes (every later write checks the event's status or the forward-only
 * trigger refuses it). Lock order: event, then orders, then reservations (as cancelEvent).
 * `endedAt` is when the night really ended: `ends_at` for the sweeper, however late it runs.
 */
async function completeLocked(tx: Tx, event: EventRow, endedAt: Date): Promise<EventRow> {
  for (const order of await listEventOrders(tx, event.id, ['pending'], { lock: true })) await releaseHold(tx, order);
  for (const r of await listEventReservations(tx, event.id, ['confirmed', 'checked_in'], { lock: true })) {
    const next = step(reservationMachine, r.status, 'complete');
    if (!next.ok) continue;
    await updateReservation(tx, r.id, { status: next.to, noShow: r.status === 'confirmed' });
    await notifyTableChanged(tx, event.id, r.eventTableId);
  }
  const next = step(eventMachine, event.status, 'complete');
  if (!next.ok) return event;
  await notifyEventChanged(tx, event.id, next.to);
  return updateEvent(tx, event.id, { status: next.to, completedAt: endedAt });
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
    return completeLocked(tx, event, now < event.endsAt ? now : event.endsAt);
  });
}

/**
 * The sweeper's step: completes events whose `ends_at` has passed; returns how many it completed.
 * Each event is completed in its own savepoint, so one that cannot be completed (reported through
 * `onError`) does not hold back every other event's night from closing.
 */
export async function completeDueEvents(
  deps: Pick<AppDeps, 'database' | 'clock'>,
  opts: { batch?: number; onError?: (eventId: string, err: unknown) => void } = {},
): Promise<number> {
  const now = deps.clock.now();
  return deps.database.transaction(async (tx) => {
    let completed = 0;
    for (const event of await claimEventsDueCompletion(tx, now, opts.batch ?? 20)) {
      try {
        await tx.transaction((sp) => completeLocked(sp, event, event.endsAt));
        completed++;
      } catch (err) {
        opts.onError?.(event.id, err);
      }
    }
    return completed;
  });
}
