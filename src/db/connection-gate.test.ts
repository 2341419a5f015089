import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionGate } from './connection-gate.js';
import { isDatabaseUnavailable } from './database.js';

/** Enters the gate and records the order in which entries are admitted. */
function entrant(gate: ConnectionGate, admitted: string[], name: string, underway: boolean) {
  return gate.enter(underway).then((leave) => {
    admitted.push(name);
    return leave;
  });
}

describe('ConnectionGate', () => {
  afterEach(() => vi.useRealTimers());

  it('lets `size` in at once; the rest wait and come in one per place given back, in order of arrival', async () => {
    const gate = new ConnectionGate(2, 5_000);
    const admitted: string[] = [];
    const a = entrant(gate, admitted, 'a', false);
    const b = entrant(gate, admitted, 'b', false);
    const c = entrant(gate, admitted, 'c', false);
    const d = entrant(gate, admitted, 'd', false);
    await Promise.all([a, b]);
    expect(admitted).toEqual(['a', 'b']);
    expect(gate.waiting).toEqual({ underway: 0, fresh: 2 });
    (await a)();
    await c;
    expect(admitted).toEqual(['a', 'b', 'c']);
    (await b)();
    await d;
    expect(admitted).toEqual(['a', 'b', 'c', 'd']);
  });

  it('admits work already under way before new work that has waited longer', async () => {
    const gate = new ConnectionGate(1, 5_000);
    const admitted: string[] = [];
    const first = await gate.enter(false);
    const waiting = [
      entrant(gate, admitted, 'new-1', false),
      entrant(gate, admitted, 'new-2', false),
      entrant(gate, admitted, 'underway', true),
    ];
    first();
    (await waiting[2]!)();
    (await waiting[0]!)();
    (await waiting[1]!)();
    expect(admitted).toEqual(['underway', 'new-1', 'new-2']);
  });

  it('gives a place back once, however often its leave is called', async () => {
    const gate = new ConnectionGate(1, 5_000);
    const admitted: string[] = [];
    const leave = await gate.enter(false);
    const second = entrant(gate, admitted, 'second', false);
    const third = entrant(gate, admitted, 'third', false);
    leave();
    leave();
    await second;
    await Promise.resolve();
    expect(admitted).toEqual(['second']);
    expect(gate.waiting.fresh).toBe(1);
    (await second)();
    await third;
    expect(admitted).toEqual(['second', 'third']);
  });

  it('fails a wait that outlasts the timeout as "database unavailable", and the place goes to the next waiter', async () => {
    vi.useFakeTimers();
    const gate = new ConnectionGate(1, 5_000);
    const leave = await gate.enter(false);
    const timedOut = gate.enter(false);
    const outcome = timedOut.then(
      () => 'admitted',
      (err: unknown) => err,
    );
    await vi.advanceTimersByTimeAsync(4_000);
    const later = gate.enter(true);
    await vi.advanceTimersByTimeAsync(1_000);
    const err = await outcome;
    expect(err).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(gate.waiting).toEqual({ underway: 1, fresh: 0 });
    leave();
    const leaveLater = await later;
    leaveLater();
    // Everything given back: the one place is free again.
    const again = await gate.enter(false);
    again();
  });
});
