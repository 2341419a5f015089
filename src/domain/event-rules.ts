import type { EventStatus } from './state-machine.js';

export interface EventWindow {
  status: EventStatus;
  startsAt: Date;
  endsAt: Date;
}

/** "Started" means now >= starts_at (SPEC). */
export const hasStarted = (e: Pick<EventWindow, 'startsAt'>, now: Date) => now.getTime() >= e.startsAt.getTime();
export const hasEnded = (e: Pick<EventWindow, 'endsAt'>, now: Date) => now.getTime() >= e.endsAt.getTime();

/** Why an event takes no new orders right now, or null when it does. */
export function salesClosedReason(e: EventWindow, now: Date): 'event_cancelled' | 'event_ended' | null {
  if (e.status === 'cancelled') return 'event_cancelled';
  if (e.status === 'completed' || hasEnded(e, now)) return 'event_ended';
  return null;
}

/** The owner may change the schedule only while nothing has started. */
export function canReschedule(e: EventWindow, now: Date): 'event_cancelled' | 'event_ended' | 'event_started' | null {
  if (e.status === 'cancelled') return 'event_cancelled';
  if (e.status === 'completed') return 'event_ended';
  if (hasStarted(e, now)) return 'event_started';
  return null;
}
