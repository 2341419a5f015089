import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain/errors.js';
import { WorkQueue } from './work-queue.js';

const busy = () => new DomainError('busy', 'busy');

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('WorkQueue', () => {
  it('runs at most `concurrency` at once, queues up to `maxWaiting` in order, and refuses the rest at once', async () => {
    const q = new WorkQueue(2, 2, busy);
    const gates = Array.from({ length: 4 }, gate);
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      q.run(async () => {
        started.push(i);
        await g.opened;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(q.load).toEqual({ running: 2, waiting: 2 });
    await expect(q.run(async () => 'late')).rejects.toMatchObject({ code: 'busy' });
    gates[1]!.open();
    await runs[1];
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(q.load).toEqual({ running: 0, waiting: 0 });
  });

  it('frees its place when the work fails', async () => {
    const q = new WorkQueue(1, 0, busy);
    await expect(q.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await q.run(async () => 'next')).toBe('next');
  });
});
