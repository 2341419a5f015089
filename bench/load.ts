/**
 * A closed-loop load generator: `clients` loops, each sending its next request as soon as the
 * previous one is answered, until the duration is over or `maxRequests` have been sent (both
 * bounds always apply). Latency is taken around each step on the client side, so it includes the
 * HTTP round trip on 127.0.0.1. A step returns a label (e.g. the scan's `result`) or throws; a
 * throw counts as an error and is never retried.
 */
export interface LoadSpec {
  clients: number;
  durationMs: number;
  maxRequests: number;
  step: (client: number) => Promise<string>;
  /** Ends the run early once this settles (e.g. a backup running beside the load). */
  until?: Promise<unknown>;
}

export interface LoadResult {
  /** Steps that returned a label. */
  ok: number;
  errors: number;
  /** Distinct error messages with their counts (the first few kinds). */
  errorKinds: Map<string, number>;
  labels: Map<string, number>;
  elapsedMs: number;
  /** Milliseconds, sorted ascending, one per successful step. */
  latencies: Float64Array;
  /** Successful steps completed in each whole second of the run. */
  perSecond: number[];
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies = new Float64Array(spec.maxRequests);
  const labels = new Map<string, number>();
  const errorKinds = new Map<string, number>();
  const perSecond: number[] = [];
  let sent = 0;
  let ok = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + spec.durationMs;
  let over = false;
  void spec.until?.finally(() => (over = true)).catch(() => {});

  const loop = async (client: number) => {
    while (!over && sent < spec.maxRequests && performance.now() < deadline) {
      sent++;
      const t0 = performance.now();
      try {
        const label = await spec.step(client);
        const t1 = performance.now();
        latencies[ok++] = t1 - t0;
        labels.set(label, (labels.get(label) ?? 0) + 1);
        const second = Math.floor((t1 - start) / 1000);
        perSecond[second] = (perSecond[second] ?? 0) + 1;
      } catch (err) {
        errors++;
        const kind = (err as Error).message.slice(0, 120);
        if (errorKinds.has(kind) || errorKinds.size < 8) errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.clients }, (_, c) => loop(c)));
  const elapsedMs = performance.now() - start;
  return {
    ok,
    errors,
    errorKinds,
    labels,
    elapsedMs,
    latencies: latencies.slice(0, ok).sort(),
    perSecond: Array.from(perSecond, (n) => n ?? 0),
  };
}

/** The q-quantile (0..1) of sorted values, nearest-rank. */
export function quantile(sorted: Float64Array, q: number): number {
  if (!sorted.length) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export const perSecondRate = (r: LoadResult) => (r.ok * 1000) / r.elapsedMs;

/**
 * Throughput in the first and the last quarter of the run's whole seconds: a falling trend means
 * each request gets dearer as the run goes on (e.g. a query that reads every earlier scan).
 */
export function trend(r: LoadResult): { first: number; last: number } | null {
  const whole = r.perSecond.slice(0, Math.floor(r.elapsedMs / 1000));
  const q = Math.floor(whole.length / 4);
  if (q < 1) return null;
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { first: avg(whole.slice(0, q)), last: avg(whole.slice(-q)) };
}
