import type { ReservationStatus } from './state-machine.js';

export type TableStatus = 'available' | 'held' | 'reserved' | 'arrived' | 'completed';

/** What the floor plan shows for a table, from its live (or last completed) reservation. */
export function tableStatus(reservation: ReservationStatus | null): TableStatus {
  switch (reservation) {
    case 'pending':
      return 'held';
    case 'confirmed':
      return 'reserved';
    case 'checked_in':
      return 'arrived';
    case 'completed':
      return 'completed';
    case 'cancelled':
    case null:
      return 'available';
  }
}
