/**
 * What metrics cost the door (BENCHMARKS.md): two server processes on the same seeded database,
 * one without VELVET_METRICS_TOKEN (nothing counted) and one with it (every counter, the scan
 * histogram, Node's process metrics, and a scrape every 5 s as Prometheus would). The door rush
 * alternates between them, A B A B, each on codes never scanned, so the machine's drift falls on
 * both alike; the figure is B's rate over A's.
 */
import { randomUUID } from 'node:crypto';
import { errorLabel, HttpClient } from './http-client.js';
import { perSecondRate, quantile, runLoad, type LoadResult } from './load.js';
import type { Seeded } from './seed.js';

export interface MetricsCost {
  off: { rate: number; p99: number };
  on: { rate: number; p99: number };
  ratio: number;
  scrapes: number;
  /** Every run, for the door's correctness checks (their scans are on the same event). */
  loads: LoadResult[];
}

const TOKEN = 'bench-metrics-token-0123456789';
export const METRICS_ENV = { VELVET_METRICS_TOKEN: TOKEN };

export async function measureMetricsCost(p: {
  off: string;
  on: string;
  seeded: Seeded;
  clients: number;
  seconds: number;
  maxRate: number;
}): Promise<MetricsCost> {
  const clients = { off: new HttpClient(p.off, p.clients), on: new HttpClient(p.on, p.clients) };
  // From the end of the spread list backwards: the main rush went forwards from its start.
  const qrs = p.seeded.spreadQrs;
  let next = qrs.length - 1;
  const step = (http: HttpClient) => async (client: number) => {
    // A quick run's short list wraps round: those scans are refused as already checked in, on both sides alike.
    const qr = qrs[((next-- % qrs.length) + qrs.length) % qrs.length]!;
    const reply = await http.post(
      '/api/v1/scans',
      { qr, scanner_id: `gate-${client % 20}`, event_id: p.seeded.doorEventId, nonce: randomUUID() },
      { authorization: `Bearer ${p.seeded.staffToken}` },
    );
    const body = reply.body as { result?: string };
    if (reply.status !== 200 || !body?.result) throw new Error(errorLabel(reply));
    return body.result;
  };
  const runs: Record<'off' | 'on', LoadResult[]> = { off: [], on: [] };
  const warm: LoadResult[] = [];
  let scrapes = 0;
  try {
    // Both processes warmed alike first (JIT, prepared statements, pool connections).
    for (const side of ['off', 'on'] as const)
      warm.push(
        await runLoad({ clients: p.clients, durationMs: 2_000, maxRequests: 2 * p.maxRate, step: step(clients[side]) }),
      );
    for (let round = 0; round < 2; round++) {
      for (const side of ['off', 'on'] as const) {
        let scraping: NodeJS.Timeout | undefined;
        if (side === 'on') {
          scraping = setInterval(() => {
            scrapes++;
            void clients.on.getRaw('/metrics', { authorization: `Bearer ${TOKEN}` });
          }, 5_000);
        }
        runs[side].push(
          await runLoad({
            clients: p.clients,
            durationMs: (p.seconds * 1000) / 2,
            maxRequests: (p.seconds / 2) * p.maxRate,
            step: step(clients[side]),
          }),
        );
        clearInterval(scraping);
      }
    }
  } finally {
    clients.off.close();
    clients.on.close();
  }
  const summary = (rs: LoadResult[]) => {
    const all = Float64Array.from(rs.flatMap((r) => [...r.latencies])).sort();
    return { rate: rs.reduce((n, r) => n + perSecondRate(r), 0) / rs.length, p99: quantile(all, 0.99) };
  };
  const off = summary(runs.off);
  const on = summary(runs.on);
  return { off, on, ratio: on.rate / off.rate, scrapes, loads: [...warm, ...runs.off, ...runs.on] };
}

export function metricsCostText(m: MetricsCost): string {
  return (
    `metrics [postgres]: door rush without metrics ${m.off.rate.toFixed(0)} scans/s (p99 ${m.off.p99.toFixed(1)} ms), ` +
    `with metrics on and scraped every 5 s ${m.on.rate.toFixed(0)} scans/s (p99 ${m.on.p99.toFixed(1)} ms): ${(m.ratio * 100).toFixed(1)} % (${m.scrapes} scrapes)`
  );
}
