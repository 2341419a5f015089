import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * What an operator graphs and alerts on, in Prometheus' text format (`GET /metrics`, metrics.routes.ts).
 * Counters count what this process did since it started: with several instances, sum them in
 * Prometheus (`sum(rate(velvet_scans_total[5m]))`). Gauges read at scrape time from the database
 * (the outboxes) are the same on every instance: take one (`max`), not the sum.
 *
 * The services report what happened in their own words (`orderPlaced`, `scanned` …), once what
 * they did has committed; names and labels are kept few, so a scrape stays small and a scan pays
 * a counter increment, not a label explosion. Without VELVET_METRICS_TOKEN nobody can read them,
 * so nothing is counted at all (BENCHMARKS.md compares the door rush both ways).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly scans = new Counter({
    name: 'velvet_scans_total',
    help: 'Scans answered, by result (admitted, reentry, rejected), method (code, manual) and mode (online, offline)',
    labelNames: ['result', 'method', 'mode'],
    registers: [this.registry],
  });
  /** Online scans, from the request's arrival to its answer (the door's wait). */
  private readonly scanSeconds = new Histogram({
    name: 'velvet_scan_duration_seconds',
    help: 'Online scans: time to answer, seconds',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 3],
    registers: [this.registry],
  });
  private readonly conflicts = new Counter({
    name: 'velvet_offline_conflicts_total',
    help: 'Offline scans the server disagreed with when they synced, by conflict',
    labelNames: ['conflict'],
    registers: [this.registry],
  });
  private readonly orders = new Counter({
    name: 'velvet_orders_total',
    help: 'Orders placed, paid and expired (holds released unpaid)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly tableHolds = new Counter({
    name: 'velvet_table_holds_total',
    help: 'Tables held by a new order',
    registers: [this.registry],
  });
  private readonly responses = new Counter({
    name: 'velvet_http_responses_total',
    help: 'HTTP answers by status code (503: the database away, busy, or too many connections)',
    labelNames: ['status'],
    registers: [this.registry],
  });

  constructor(readonly enabled: boolean) {
    // Node's own (CPU, memory, event loop lag, handles): each set watches the event loop and the
    // GC for the life of the process.
    if (enabled) collectDefaultMetrics({ register: this.registry });
  }

  scanned(result: string, method: 'code' | 'manual', mode: 'online' | 'offline'): void {
    if (this.enabled) this.scans.inc({ result, method, mode });
  }

  scanAnswered(seconds: number): void {
    if (this.enabled) this.scanSeconds.observe(seconds);
  }

  conflict(kind: string): void {
    if (this.enabled) this.conflicts.inc({ conflict: kind });
  }

  orderPlaced(withTable: boolean): void {
    if (!this.enabled) return;
    this.orders.inc({ outcome: 'placed' });
    if (withTable) this.tableHolds.inc();
  }

  orderPaid(): void {
    if (this.enabled) this.orders.inc({ outcome: 'paid' });
  }

  holdsExpired(n: number): void {
    if (this.enabled && n > 0) this.orders.inc({ outcome: 'expired' }, n);
  }

  answered(status: number): void {
    if (this.enabled) this.responses.inc({ status: String(status) });
  }

  /**
   * A gauge read when scraped: `read` returns its value (or values by label), or null when there
   * is nothing to report; a read that fails leaves the gauge out of that scrape.
   */
  gauge(name: string, help: string, read: () => Promise<number | null> | number | null): void {
    if (!this.enabled) return;
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.reset();
        const value = await Promise.resolve()
          .then(read)
          .catch(() => null);
        if (value !== null) this.set(value);
      },
    });
  }

  /** A counter kept elsewhere (e.g. by the database driver), reported as it is when scraped. */
  counterFrom(name: string, help: string, read: () => number): void {
    if (!this.enabled) return;
    let reported = 0;
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        const now = read();
        if (now > reported) this.inc(now - reported);
        reported = now;
      },
    });
  }
}
