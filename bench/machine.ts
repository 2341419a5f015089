import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import pg from 'pg';

export interface MachineInfo {
  cores: number;
  cpu: string;
  node: string;
  postgres: string;
}

export async function describeMachine(databaseUrl: string): Promise<MachineInfo> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, postgres: rows[0]!.v };
  } finally {
    await client.end();
  }
}

/**
 * Whole-machine CPU use between two readings of /proc/stat, in cores busy. With the server's and
 * the load generator's own shares it shows what is left for PostgreSQL (and anything else running).
 */
export function cpuMeter(): () => number {
  const read = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3]! + (f[4] ?? 0);
    return { total: f.reduce((a, b) => a + b, 0), idle };
  };
  const a = read();
  return () => {
    const b = read();
    const total = b.total - a.total;
    return total > 0 ? (availableParallelism() * (total - (b.idle - a.idle))) / total : 0;
  };
}

/** This process's CPU time over a span, as a share of one core. */
export function processCpuMeter(): () => number {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const d = process.cpuUsage(cpu0);
    return (d.user + d.system) / ((performance.now() - t0) * 1000);
  };
}
