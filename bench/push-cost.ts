/**
 * What telling VIP hosts about their guests costs the door (BENCHMARKS.md, issue 19). The arrivals
 * event's tables are split in two: the hosts of one half each subscribe a device, to a local Web
 * Push service that checks every message's VAPID signature and decrypts it
 * (test/support/push-service.ts); the other half's hosts do not. After a warm-up of both sides, the door rush scans guests'
 * codes, each a first entry, alternating the half without subscriptions (A) and the half with
 * them (B), A B B A on the same server, so the machine's drift falls on both alike. Reported: each
 * side's scan rate and p99 and B over A; then how long the outbox took to deliver every arrival
 * once the rush was over, and the delay from a scan's answer to its notification's delivery.
 */
import { randomUUID } from 'node:crypto';
import { parseTicketCode } from '../src/domain/ticket-code.js';
import { startTestPushService } from '../test/support/push-service.js';
import { errorLabel, HttpClient } from './http-client.js';
import { perSecondRate, quantile, runLoad, type LoadResult } from './load.js';
import type { Seeded } from './seed.js';
import { shuffle } from './seed.js';
import type { Check } from './checks.js';

export interface PushCost {
  subscribedHosts: number;
  off: { rate: number; p99: number };
  on: { rate: number; p99: number };
  ratio: number;
  /** Arrivals of subscribed tables admitted, and notifications delivered for them. */
  arrivals: number;
  delivered: number;
  /** From the end of the last B run until the last delivery. */
  drainMs: number;
  /** Scan answered → notification delivered, ms. */
  delay: { p50: number; p99: number; max: number };
  /** Notifications for tables without a subscription (must be none). */
  strays: number;
  duplicates: number;
  loads: LoadResult[];
}

export const PUSH_ENV = { VELVET_PUSH_ALLOW_HTTP: '1' };

export async function measurePushCost(p: {
  server: string;
  seeded: Seeded;
  clients: number;
  seconds: number;
  maxRate: number;
}): Promise<PushCost> {
  const arrivals = p.seeded.arrivals!;
  const push = await startTestPushService();
  const http = new HttpClient(p.server, p.clients);
  try {
    const key = ((await (await fetch(`${p.server}/api/v1/push/public-key`)).json()) as { public_key: string })
      .public_key;
    const half = Math.floor(arrivals.tables.length / 2);
    const subscribed = arrivals.tables.slice(0, half);
    const plain = arrivals.tables.slice(half);
    for (let i = 0; i < subscribed.length; i += 25) {
      await Promise.all(
        subscribed.slice(i, i + 25).map(async (t) => {
          const res = await fetch(`${p.server}/api/v1/reservations/${t.reservationId}/push-subscription`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${t.manageToken}` },
            body: JSON.stringify(push.subscribe(key)),
          });
          if (res.status !== 200)
            throw new Error(`subscribing host ${t.reservationId}: ${res.status} ${await res.text()}`);
        }),
      );
    }
    const codes = { off: plain.flatMap((t) => t.guestQrs), on: subscribed.flatMap((t) => t.guestQrs) };
    shuffle(codes.off);
    shuffle(codes.on);
    const answeredAt = new Map<string, number>();
    let admittedOn = 0;
    const step = (side: 'off' | 'on') => {
      let next = 0;
      return async (client: number) => {
        const qr = codes[side][next++ % codes[side].length]!;
        const reply = await http.post(
          '/api/v1/scans',
          { qr, scanner_id: `gate-${client % 20}`, event_id: arrivals.eventId, nonce: randomUUID() },
          { authorization: `Bearer ${p.seeded.staffToken}` },
        );
        const body = reply.body as { result?: string };
        if (reply.status !== 200 || !body?.result) throw new Error(errorLabel(reply));
        if (side === 'on' && body.result === 'admitted') {
          admittedOn++;
          answeredAt.set(parseTicketCode(qr)!.ticketId, Date.now());
        }
        return body.result;
      };
    };
    const steps = { off: step('off'), on: step('on') };
    const runs: Record<'off' | 'on', LoadResult[]> = { off: [], on: [] };
    // The server process is new: both sides warm it alike first (JIT, prepared statements, pool).
    const warmCodes = (side: 'off' | 'on') => Math.min(500, Math.floor(codes[side].length / 10));
    const warm: LoadResult[] = [];
    for (const side of ['off', 'on'] as const)
      warm.push(
        await runLoad({ clients: p.clients, durationMs: 5_000, maxRequests: warmCodes(side), step: steps[side] }),
      );
    // Each side's codes last both of its rounds (a code comes round again only as a re-entry).
    const perRound = (side: 'off' | 'on') =>
      Math.min(Math.floor((codes[side].length - warmCodes(side)) / 2), (p.seconds / 2) * p.maxRate);
    // A B B A: a drift of the machine that grows through the run falls on both sides alike.
    for (const order of [
      ['off', 'on'],
      ['on', 'off'],
    ] as const) {
      for (const side of order) {
        runs[side].push(
          await runLoad({
            clients: p.clients,
            durationMs: (p.seconds * 1000) / 2,
            maxRequests: perRound(side),
            step: steps[side],
          }),
        );
      }
    }
    const rushOver = Date.now();
    await push.waitFor(admittedOn, 180_000).catch(() => undefined);
    const last = push.received.reduce((m, r) => Math.max(m, r.at), rushOver);
    const onTickets = new Set(subscribed.flatMap((t) => t.guestQrs.map((q) => parseTicketCode(q)!.ticketId)));
    const tags = push.received.map((r) => (r.payload as { tag: string }).tag.replace(/^arrival-/, ''));
    const delays = Float64Array.from(
      tags.flatMap((ticketId, i) =>
        answeredAt.has(ticketId) ? [push.received[i]!.at - answeredAt.get(ticketId)!] : [],
      ),
    ).sort();
    const summary = (rs: LoadResult[]) => {
      const all = Float64Array.from(rs.flatMap((r) => [...r.latencies])).sort();
      return { rate: rs.reduce((n, r) => n + perSecondRate(r), 0) / rs.length, p99: quantile(all, 0.99) };
    };
    const off = summary(runs.off);
    const on = summary(runs.on);
    return {
      subscribedHosts: subscribed.length,
      off,
      on,
      ratio: on.rate / off.rate,
      arrivals: admittedOn,
      delivered: push.received.length,
      drainMs: last - rushOver,
      delay: { p50: quantile(delays, 0.5), p99: quantile(delays, 0.99), max: delays.at(-1) ?? 0 },
      strays: tags.filter((t) => !onTickets.has(t)).length,
      duplicates: tags.length - new Set(tags).size,
      loads: [...warm, ...runs.off, ...runs.on],
    };
  } finally {
    http.close();
    await push.close();
  }
}

export function pushChecks(c: PushCost): Check[] {
  return [
    {
      name: 'push: every arrival of a subscribed table delivered',
      ok: c.delivered - c.duplicates === c.arrivals,
      detail: `${c.delivered - c.duplicates} of ${c.arrivals}`,
    },
    { name: 'push: no arrival delivered twice', ok: c.duplicates === 0, detail: `${c.duplicates} (expected 0)` },
    {
      name: 'push: nothing sent for tables nobody subscribed to',
      ok: c.strays === 0,
      detail: `${c.strays} (expected 0)`,
    },
  ];
}

export function pushText(c: PushCost): string {
  return (
    `push [postgres]: door rush on guests of ${c.subscribedHosts} tables without a subscribed host ${c.off.rate.toFixed(0)} scans/s (p99 ${c.off.p99.toFixed(1)} ms), ` +
    `of ${c.subscribedHosts} with one ${c.on.rate.toFixed(0)} scans/s (p99 ${c.on.p99.toFixed(1)} ms): ${(c.ratio * 100).toFixed(1)} %; ` +
    `${c.delivered} of ${c.arrivals} arrivals delivered (checked and decrypted by the push service), the last ${(c.drainMs / 1000).toFixed(1)} s after the rush; ` +
    `scan to delivery p50 ${c.delay.p50.toFixed(0)} ms, p99 ${c.delay.p99.toFixed(0)} ms, max ${c.delay.max.toFixed(0)} ms`
  );
}
