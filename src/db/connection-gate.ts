/**
 * Decides who gets the next database connection when every one is in use: work already under way
 * before new work, each in order of arrival.
 *
 * Why: under a rush most of a request's time is spent waiting for a connection, and a request that
 * needs three trips (a table drop's winner: the unlocked ask, the locked hold, the payment's
 * record) waited in that queue three times, behind every refusal that arrived after it, so the
 * buyers who won the table had the slowest answers of the night. A request's later trips ask with
 * `underway` and go ahead of the queue; they are at most one per request in flight, so new work
 * still moves as they finish.
 *
 * The pool itself never queues: this gate lets at most `size` (the pool's width) through at once.
 * A wait longer than `timeoutMs` fails like the pool's own wait did, as "database unavailable"
 * (503, retry), instead of hanging.
 */
export class ConnectionGate {
  private free: number;
  private readonly underway: Waiter[] = [];
  private readonly fresh: Waiter[] = [];

  constructor(
    size: number,
    private readonly timeoutMs: number,
  ) {
    this.free = size;
  }

  /** Resolves when a connection may be taken, with the function that gives it back (once). */
  enter(underway: boolean): Promise<() => void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(this.leaveOnce());
    }
    return new Promise((resolve, reject) => {
      const queue = underway ? this.underway : this.fresh;
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          resolve(this.leaveOnce());
        },
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          reject(new Error('timeout exceeded when trying to connect'));
        }, this.timeoutMs),
      };
      queue.push(waiter);
    });
  }

  /** Waiting right now (for stats and tests). */
  get waiting(): { underway: number; fresh: number } {
    return { underway: this.underway.length, fresh: this.fresh.length };
  }

  private leaveOnce(): () => void {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      // The place goes straight to the next waiter: `free` counts only places nobody waits for.
      const next = this.underway.shift() ?? this.fresh.shift();
      if (next) next.admit();
      else this.free++;
    };
  }
}

interface Waiter {
  admit: () => void;
  timer: ReturnType<typeof setTimeout>;
}
