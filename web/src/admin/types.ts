import type * as contract from '../lib/contract.js';

/** The API's answers the owner's pages read: the server's schemas, as types (lib/contract.ts). */
export type AdminEvent = contract.EventView;
export type ListedEvent = contract.EventList['events'][number];

/** Where a night sits for the owner: still to come, on now, over, or cancelled. */
export function phaseOf(
  e: Pick<ListedEvent, 'status' | 'starts_at' | 'ends_at'>,
  now = Date.now(),
): 'upcoming' | 'tonight' | 'past' | 'cancelled' {
  if (e.status === 'cancelled') return 'cancelled';
  if (e.status === 'completed' || Date.parse(e.ends_at) <= now) return 'past';
  if (Date.parse(e.starts_at) <= now + 12 * 3600_000) return 'tonight';
  return 'upcoming';
}
