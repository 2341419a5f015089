/**
 * Forward-only state machines, one table per thing. The database trigger in the first migration
 * lists the same steps; a test checks the two agree edge for edge.
 */
export type Machine<S extends string, E extends string> = Readonly<Record<S, Partial<Record<E, S>>>>;

export type Step<S extends string> = { ok: true; to: S } | { ok: false; from: S };

export function step<S extends string, E extends string>(machine: Machine<S, E>, from: S, event: E): Step<S> {
  const to = machine[from][event];
  return to === undefined ? { ok: false, from } : { ok: true, to };
}

/** Every (from, to) pair the machine allows, e.g. for comparing with the database trigger. */
export function edges<S extends string, E extends string>(machine: Machine<S, E>): Array<[S, S]> {
  const out: Array<[S, S]> = [];
  for (const from of Object.keys(machine) as S[]) {
    for (const to of Object.values(machine[from]) as S[]) {
      if (to !== from && !out.some(([f, t]) => f === from && t === to)) out.push([from, to]);
    }
  }
  return out;
}

export const reservationStatuses = ['pending', 'confirmed', 'checked_in', 'completed', 'cancelled'] as const;
export type ReservationStatus = (typeof reservationStatuses)[number];
export const reservationEvents = ['pay', 'check_in', 'expire', 'cancel', 'complete'] as const;
export type ReservationEvent = (typeof reservationEvents)[number];

/** `confirmed` + `complete` is the no-show: the host never arrived by the end of the event. */
export const reservationMachine: Machine<ReservationStatus, ReservationEvent> = {
  pending: { pay: 'confirmed', expire: 'cancelled', cancel: 'cancelled' },
  confirmed: { check_in: 'checked_in', cancel: 'cancelled', complete: 'completed' },
  checked_in: { complete: 'completed' },
  completed: {},
  cancelled: {},
};

export const ticketStatuses = ['pending', 'valid', 'checked_in', 'void'] as const;
export type TicketStatus = (typeof ticketStatuses)[number];
export const ticketEvents = ['pay', 'check_in', 'expire', 'cancel'] as const;
export type TicketEvent = (typeof ticketEvents)[number];

export const ticketMachine: Machine<TicketStatus, TicketEvent> = {
  pending: { pay: 'valid', expire: 'void', cancel: 'void' },
  valid: { check_in: 'checked_in', cancel: 'void' },
  checked_in: {},
  void: {},
};

export const orderStatuses = ['pending', 'paid', 'expired', 'refunded'] as const;
export type OrderStatus = (typeof orderStatuses)[number];
export const orderEvents = ['pay', 'expire', 'refund'] as const;
export type OrderEvent = (typeof orderEvents)[number];

/** `expired` + `refund` is a payment that arrived after its hold lapsed: it is paid back in full. */
export const orderMachine: Machine<OrderStatus, OrderEvent> = {
  pending: { pay: 'paid', expire: 'expired' },
  paid: { refund: 'refunded' },
  expired: { refund: 'refunded' },
  refunded: {},
};

export const eventStatuses = ['scheduled', 'cancelled', 'completed'] as const;
export type EventStatus = (typeof eventStatuses)[number];
export const eventEvents = ['cancel', 'complete'] as const;
export type EventEvent = (typeof eventEvents)[number];

export const eventMachine: Machine<EventStatus, EventEvent> = {
  scheduled: { cancel: 'cancelled', complete: 'completed' },
  cancelled: {},
  completed: {},
};

export const refundStatuses = ['pending', 'succeeded', 'failed'] as const;
export type RefundStatus = (typeof refundStatuses)[number];
export const refundEvents = ['succeed', 'fail', 'retry'] as const;
export type RefundEvent = (typeof refundEvents)[number];

/**
 * The one way back in any machine: a refund given up on (`failed`, for a person to look at) is put
 * back in the outbox when the owner presses retry. Money still moves at most once: see
 * requeueFailedRefunds in refunds.repo.ts.
 */
export const refundMachine: Machine<RefundStatus, RefundEvent> = {
  pending: { succeed: 'succeeded', fail: 'failed' },
  succeeded: {},
  failed: { retry: 'pending' },
};
