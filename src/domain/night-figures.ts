import type { CachedTicket } from './scanner-cache.js';

/**
 * The night's figures, defined once. The door computes them from its ticket list
 * (`doorFigures`), the owner's dashboard and events list from the database
 * (src/db/repos/summary.repo.ts counts the same rows the same way), so every screen agrees:
 *
 * - **sold**: tickets that admit someone: paid and not void (`valid` or `checked_in`), GA and VIP.
 * - **admitted**: tickets checked in, each person once whichever door and however often they
 *   went out and back in. A ticket refunded after it was used is void and no longer counted.
 * - **admitted by a door**: admitted tickets whose first entry was at that door.
 * - **tables reserved**: tables with a live paid reservation; **arrived**: of those, the ones
 *   whose host came in.
 * - **cancellation**: the refunds the cancellation made (reason `event_cancelled`); refunds of
 *   single orders before it are reported beside them, never mixed in (`cancellationProgress`).
 */
export interface DoorFigures {
  admitted: number;
  sold: number;
  byThisDoor: number;
  tablesArrived: number;
  tablesReserved: number;
}

type FigureTicket = Pick<CachedTicket, 'status' | 'first_scanner_id' | 'reservation'>;

export function doorFigures(tickets: Iterable<FigureTicket>, scannerId: string): DoorFigures {
  let admitted = 0;
  let sold = 0;
  let byThisDoor = 0;
  const reserved = new Set<string>();
  const arrived = new Set<string>();
  for (const t of tickets) {
    if (t.status === 'valid' || t.status === 'checked_in') sold++;
    if (t.status === 'checked_in') {
      admitted++;
      if (t.first_scanner_id === scannerId) byThisDoor++;
    }
    const r = t.reservation;
    if (r?.role === 'host' && (r.status === 'confirmed' || r.status === 'checked_in' || r.status === 'completed')) {
      reserved.add(r.id);
      if (r.status === 'checked_in' || t.status === 'checked_in') arrived.add(r.id);
    }
  }
  return { admitted, sold, byThisDoor, tablesArrived: arrived.size, tablesReserved: reserved.size };
}

export interface RefundItem {
  reason: string;
  status: 'pending' | 'succeeded' | 'failed';
  amount_cents: number;
}

export interface CancellationProgress {
  /** Orders the cancellation refunds, and how far each got. */
  orders: number;
  succeeded: number;
  failed: number;
  pending: number;
  /** What the cancellation refunds in all (the preview's total), and what is paid back so far. */
  totalCents: number;
  refundedCents: number;
  /** Orders refunded on their own before the cancellation (not part of its total). */
  earlier: { orders: number; cents: number };
}

export function cancellationProgress(items: RefundItem[]): CancellationProgress {
  const ours = items.filter((i) => i.reason === 'event_cancelled');
  const before = items.filter((i) => i.reason !== 'event_cancelled');
  const count = (s: RefundItem['status']) => ours.filter((i) => i.status === s).length;
  const sum = (list: RefundItem[]) => list.reduce((n, i) => n + i.amount_cents, 0);
  return {
    orders: ours.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    pending: count('pending'),
    totalCents: sum(ours),
    refundedCents: sum(ours.filter((i) => i.status === 'succeeded')),
    earlier: { orders: before.length, cents: sum(before) },
  };
}
