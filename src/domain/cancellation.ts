import { hasStarted, type EventWindow } from './event-rules.js';

export type CancelRefusal = 'event_started' | 'already_cancelled';

/**
 * Whether the owner may cancel now. Only before the start (SPEC decision 10): once it started, or
 * once anyone is inside (a checked-in ticket cannot be un-admitted), it is a mid-event cancellation.
 * A completed event has started by definition.
 */
export function cancelRefusal(e: EventWindow, now: Date, anyoneCheckedIn: boolean): CancelRefusal | null {
  if (e.status === 'cancelled') return 'already_cancelled';
  if (e.status === 'completed' || hasStarted(e, now) || anyoneCheckedIn) return 'event_started';
  return null;
}
