/**
 * Floor-plan fan-out: `streams` open floor plans (Server-Sent Events), spread over the server
 * processes given, all watching one event, while its tables' hosts are scanned in at the door at
 * `scansPerSecond` (each scan makes one table "arrived"). Every stream must get every table's
 * change; latency is from the moment the scan was sent (an upper bound of its commit) to the
 * moment a stream received the change, for every (stream, table) pair.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { HttpClient } from './http-client.js';
import { quantile } from './load.js';

export interface FanoutFigures {
  streams: number;
  processes: number;
  scans: number;
  scansPerSecond: number;
  deliveries: number;
  missing: number;
  /** ms from scan sent to delivery, over all deliveries. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** ms from scan answered to delivery (negative: the stream heard of it before the door did). */
  afterAnswerP99: number;
  /** Streams refused or cut before their snapshot and opened again, and the first reason. */
  reopened: number;
  firstRefusal: string | null;
}

interface Stream {
  arrivedAt: Map<string, number>;
  snapshot: boolean;
  /** Times it was refused or cut before its snapshot, and opened again. */
  reopened: number;
  /** Why, the first time. */
  firstRefusal?: string;
  close(): void;
}

/**
 * One floor plan. Like the page's EventSource, a stream refused or cut before its snapshot (a 503
 * while 1,000 open at once) is opened again a moment later; the figures count those.
 */
function openStream(base: string, eventId: string, token: string, agent: http.Agent, viewer: number): Stream {
  const s: Stream = { arrivedAt: new Map(), snapshot: false, reopened: 0, close: () => {} };
  const url = new URL(`/api/v1/events/${eventId}/floor-plan/stream?token=${encodeURIComponent(token)}`, base);
  let closed = false;
  const retry = (why: string) => {
    if (closed || s.snapshot) return;
    s.firstRefusal ??= why;
    s.reopened++;
    setTimeout(open, 500);
  };
  const open = () => {
    if (closed) return;
    // Each floor plan is a phone of its own, named as a load balancer in front would name it
    // (live streams are capped per client address).
    const req = http.get(
      url,
      { agent, headers: { 'x-forwarded-for': `10.9.${(viewer >> 8) & 255}.${viewer & 255}` } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return retry(`HTTP ${res.statusCode}`);
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = performance.now();
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (\w+)/.exec(message)?.[1];
            if (event === 'snapshot') s.snapshot = true;
            if (event !== 'table') continue;
            const data = JSON.parse(message.slice(message.indexOf('data: ') + 6)) as { id: string; status: string };
            if (data.status === 'arrived' && !s.arrivedAt.has(data.id)) s.arrivedAt.set(data.id, now);
          }
        });
      },
    );
    req.on('error', (err) => retry(err.message));
    s.close = () => {
      closed = true;
      req.destroy();
    };
  };
  open();
  return s;
}

export async function measureFanout(p: {
  servers: string[];
  door: HttpClient;
  eventId: string;
  staffToken: string;
  hosts: Array<{ tableId: string; qr: string }>;
  streams: number;
  scansPerSecond: number;
}): Promise<FanoutFigures> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const streams = Array.from({ length: p.streams }, (_, i) =>
    openStream(p.servers[i % p.servers.length]!, p.eventId, p.staffToken, agent, i),
  );
  try {
    await until(() => streams.every((s) => s.snapshot), 60_000, 'every stream got its snapshot');
    const sentAt = new Map<string, number>();
    const answeredAt = new Map<string, number>();
    const gap = 1000 / p.scansPerSecond;
    const start = performance.now();
    await Promise.all(
      p.hosts.map(async (h, i) => {
        await sleep(start + i * gap - performance.now());
        sentAt.set(h.tableId, performance.now());
        const res = await p.door.post(
          '/api/v1/scans',
          { qr: h.qr, scanner_id: `floor-gate-${i % 4}`, event_id: p.eventId, nonce: randomUUID() },
          { authorization: `Bearer ${p.staffToken}` },
        );
        if (res.status !== 200 || (res.body as { result?: string }).result !== 'admitted')
          throw new Error(`fan-out scan: HTTP ${res.status} ${JSON.stringify(res.body)}`);
        answeredAt.set(h.tableId, performance.now());
      }),
    );
    await until(
      () => streams.every((s) => s.arrivedAt.size >= p.hosts.length),
      30_000,
      'every stream got every change',
    ).catch(() => {});
    const fromSent: number[] = [];
    const fromAnswer: number[] = [];
    let missing = 0;
    for (const s of streams) {
      for (const h of p.hosts) {
        const at = s.arrivedAt.get(h.tableId);
        if (at === undefined) {
          missing++;
          continue;
        }
        fromSent.push(at - sentAt.get(h.tableId)!);
        fromAnswer.push(at - answeredAt.get(h.tableId)!);
      }
    }
    const sent = Float64Array.from(fromSent).sort();
    const answered = Float64Array.from(fromAnswer).sort();
    return {
      streams: p.streams,
      processes: p.servers.length,
      scans: p.hosts.length,
      scansPerSecond: p.scansPerSecond,
      deliveries: sent.length,
      missing,
      p50: quantile(sent, 0.5),
      p95: quantile(sent, 0.95),
      p99: quantile(sent, 0.99),
      max: sent.at(-1) ?? Number.NaN,
      afterAnswerP99: quantile(answered, 0.99),
      reopened: streams.reduce((n, st) => n + st.reopened, 0),
      firstRefusal: streams.find((st) => st.firstRefusal)?.firstRefusal ?? null,
    };
  } finally {
    for (const s of streams) s.close();
    agent.destroy();
  }
}

export function fanoutText(f: FanoutFigures): string {
  return (
    `floor-plan fan-out [postgres]: ${f.streams.toLocaleString('en-US')} streams over ${f.processes} processes, ${f.scans} host scans at ${f.scansPerSecond}/s: ` +
    `${f.deliveries.toLocaleString('en-US')} deliveries, ${f.missing} missing; scan sent → delivered p50 ${f.p50.toFixed(0)} / p95 ${f.p95.toFixed(0)} / p99 ${f.p99.toFixed(0)} / max ${f.max.toFixed(0)} ms ` +
    `(scan answered → delivered p99 ${f.afterAnswerP99.toFixed(0)} ms)` +
    (f.reopened ? `; ${f.reopened} streams opened again after a refusal (first: ${f.firstRefusal})` : '')
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`fan-out: not within ${timeoutMs / 1000} s: ${what}`);
    await sleep(20);
  }
}
