import { DomainError } from '../domain/errors.js';

/**
 * Runs expensive work a few at a time, with a short line behind it; when the line is full, the
 * caller is refused at once (`busy`, retry in a moment) instead of waiting.
 *
 * Why password hashing needs one: scrypt runs on Node's thread pool (four threads by default),
 * which static files, compression and DNS share. A login flood that fills every thread with 128 MB
 * hashes stalls the door's own assets and scans behind it, for as long as the flood lasts. Two
 * hashes at a time leave the other threads free whatever arrives, and memory bounded.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
    private readonly refusal: () => DomainError,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) throw this.refusal();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      // The place passes straight to the next in line, so `running` never drops below the line.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
