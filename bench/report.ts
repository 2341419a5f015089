import type { Check } from './checks.js';
import { perSecondRate, quantile, trend } from './load.js';
import type { MachineInfo } from './machine.js';
import type { RawLimit } from './raw-limit.js';
import type { ScenarioResult } from './scenarios.js';

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
    .join('\n');
}

export function header(m: MachineInfo, clients: number, seconds: number, quick: boolean): string {
  return [
    `Velvet bench${quick ? ' (--quick: smoke run, figures not comparable)' : ''}`,
    `machine: ${m.cores} cores (${m.cpu}), Node ${m.node}, PostgreSQL ${m.postgres} on 127.0.0.1 (TCP)`,
    `door rush and raw limit: ${clients} clients, ${seconds} s each`,
  ].join('\n');
}

export interface TableRow {
  r: ScenarioResult;
  unit: string;
  /** The raw limit this scenario is compared with, if any. */
  ratioTo?: number;
  /** The peer's rate on the same scenario, if it ran one. */
  peer?: number;
}

/**
 * One line per scenario. Per op (one scan, one purchase = two requests): the server's CPU in µs,
 * and the statements and database round trips it sent, counted by the server (DatabaseStats).
 */
export function resultsTable(raw: RawLimit, runs: TableRow[]): string {
  const rows: string[][] = [
    [
      'scenario',
      'db',
      'clients',
      'rate',
      'unit',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'errors',
      'x raw',
      'x peer',
      'CPU µs/op',
      'db µs/op',
      'stmts/op',
      'trips/op',
      'srv CPU',
      'peak RSS MB',
    ],
    [
      'raw check-in, spread (pgbench)',
      'postgres',
      '',
      f0(raw.spread),
      'tx/s',
      '',
      '',
      '',
      '',
      '1.00',
      '',
      '',
      '',
      '5',
      '5',
      '',
      '',
    ],
    [
      'raw check-in, hot (pgbench)',
      'postgres',
      '',
      f0(raw.hot),
      'tx/s',
      '',
      '',
      '',
      '',
      '1.00',
      '',
      '',
      '',
      '5',
      '5',
      '',
      '',
    ],
  ];
  for (const { r, ratioTo, peer, unit } of runs) {
    const rate = perSecondRate(r.load);
    const l = r.load.latencies;
    const ops = r.load.ok + r.load.errors;
    rows.push([
      r.name,
      r.database,
      String(r.clients),
      f0(rate),
      unit,
      f1(quantile(l, 0.5)),
      f1(quantile(l, 0.95)),
      f1(quantile(l, 0.99)),
      String(r.load.errors),
      ratioTo ? f2(rate / ratioTo) : '',
      peer ? f2(rate / peer) : '',
      f0(r.server.cpuUs / ops),
      f0(r.dbCpuUs / ops),
      f1(r.server.statements / ops),
      f1(r.server.roundTrips / ops),
      `${Math.round(r.server.cpuShare * 100)}%`,
      f0(r.server.peakRssMb),
    ]);
  }
  return table(rows);
}

export function details(runs: ScenarioResult[]): string {
  const lines: string[] = [];
  for (const r of runs) {
    const labels = [...r.load.labels].map(([k, v]) => `${k} ${v}`).join(', ');
    const t = trend(r.load);
    const trendText = t ? `; req/s first→last quarter ${f0(t.first)}→${f0(t.last)}` : '';
    lines.push(
      `${r.name} [${r.database}]: ${r.load.ok} answered in ${f1(r.load.elapsedMs / 1000)} s (${labels})${trendText}; ` +
        `CPU: server ${f2(r.server.cpuShare)}, load generator ${f2(r.loaderCpu)}, machine ${f2(r.machineCores)} cores busy`,
    );
    for (const [kind, n] of r.load.errorKinds) lines.push(`  error x${n}: ${kind}`);
  }
  return lines.join('\n');
}

export function checksText(title: string, checks: Check[]): string {
  return [`${title}:`, ...checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`)].join('\n');
}
