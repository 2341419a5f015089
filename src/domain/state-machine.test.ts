import { describe, expect, it } from 'vitest';
import {
  edges,
  eventEvents,
  eventMachine,
  eventStatuses,
  orderEvents,
  orderMachine,
  orderStatuses,
  refundEvents,
  refundMachine,
  refundStatuses,
  reservationEvents,
  reservationMachine,
  reservationStatuses,
  step,
  ticketEvents,
  ticketMachine,
  ticketStatuses,
  type Machine,
} from './state-machine.js';

/**
 * Every (state, event) pair of every machine, spelled out: `null` means refused. A new state or event
 * makes the table incomplete and the completeness check fails, so nothing is allowed by accident.
 */
const expected = {
  reservation: {
    pending: { pay: 'confirmed', check_in: null, expire: 'cancelled', cancel: 'cancelled', complete: null },
    confirmed: { pay: null, check_in: 'checked_in', expire: null, cancel: 'cancelled', complete: 'completed' },
    checked_in: { pay: null, check_in: null, expire: null, cancel: null, complete: 'completed' },
    completed: { pay: null, check_in: null, expire: null, cancel: null, complete: null },
    cancelled: { pay: null, check_in: null, expire: null, cancel: null, complete: null },
  },
  ticket: {
    pending: { pay: 'valid', check_in: null, expire: 'void', cancel: 'void' },
    valid: { pay: null, check_in: 'checked_in', expire: null, cancel: 'void' },
    checked_in: { pay: null, check_in: null, expire: null, cancel: null },
    void: { pay: null, check_in: null, expire: null, cancel: null },
  },
  order: {
    pending: { pay: 'paid', expire: 'expired', refund: null },
    paid: { pay: null, expire: null, refund: 'refunded' },
    expired: { pay: null, expire: null, refund: 'refunded' },
    refunded: { pay: null, expire: null, refund: null },
  },
  event: {
    scheduled: { cancel: 'cancelled', complete: 'completed' },
    cancelled: { cancel: null, complete: null },
    completed: { cancel: null, complete: null },
  },
  refund: {
    pending: { succeed: 'succeeded', fail: 'failed', retry: null },
    succeeded: { succeed: null, fail: null, retry: null },
    failed: { succeed: null, fail: null, retry: 'pending' },
  },
} as const;

const machines = [
  ['reservation', reservationMachine, reservationStatuses, reservationEvents],
  ['ticket', ticketMachine, ticketStatuses, ticketEvents],
  ['order', orderMachine, orderStatuses, orderEvents],
  ['event', eventMachine, eventStatuses, eventEvents],
  ['refund', refundMachine, refundStatuses, refundEvents],
] as const;

describe.each(machines)('%s state machine', (name, machine, states, events) => {
  const table = expected[name] as Record<string, Record<string, string | null>>;

  it('the expected table covers every state and event', () => {
    expect(Object.keys(table).sort()).toEqual([...states].sort());
    for (const s of states) expect(Object.keys(table[s]!).sort()).toEqual([...events].sort());
  });

  const pairs = states.flatMap((s) => events.map((e) => [s, e] as [string, string]));
  it.each(pairs)('%s + %s', (state, event) => {
    const result = step(machine as Machine<string, string>, state, event);
    const want = table[state]![event];
    expect(result).toEqual(want === null ? { ok: false, from: state } : { ok: true, to: want });
  });

  it("never moves backwards: no edge returns to an earlier state (but the owner's retry of a failed refund)", () => {
    const order = new Map<string, number>(states.map((s, i) => [s, i]));
    for (const [from, to] of edges(machine as Machine<string, string>)) {
      if (name === 'refund' && from === 'failed' && to === 'pending') continue;
      expect(order.get(to)!, `${from} -> ${to}`).toBeGreaterThan(order.get(from)!);
    }
  });
});
