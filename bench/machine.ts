import { readdirSync, readFileSync } from 'node:fs';
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
    return {
      cores: availableParallelism(),
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      postgres: rows[0]!.v,
    };
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

// Linux reports process CPU in clock ticks of 1/100 s (USER_HZ) on every platform Node supports.
const TICKS_PER_SECOND = 100;

/**
 * Another process's CPU (utime + stime from /proc/<pid>/stat) and peak RSS (sampled every 50 ms)
 * over a span, with the machine's busy cores over the same span.
 */
export function childMeter(
  pid: number,
): () => { cpuShare: number; cpuUs: number; peakRssMb: number; machineCores: number } {
  const cpuTicks = () => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  let peak = rssMb();
  const timer = setInterval(() => (peak = Math.max(peak, rssMb())), 50);
  const ticks0 = cpuTicks();
  const t0 = performance.now();
  const machine = cpuMeter();
  return () => {
    clearInterval(timer);
    peak = Math.max(peak, rssMb());
    const cpuUs = ((cpuTicks() - ticks0) / TICKS_PER_SECOND) * 1e6;
    return { cpuShare: cpuUs / ((performance.now() - t0) * 1000), cpuUs, peakRssMb: peak, machineCores: machine() };
  };
}

/**
 * CPU time of every PostgreSQL process on this machine (backends, WAL writer, checkpointer…) over a
 * span, in µs: the database's cost of a scenario. A backend that exits within the span is missed.
 */
export function postgresCpuMeter(): () => number {
  const read = () => {
    const ticks = new Map<string, number>();
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks.set(pid, Number(f[11]) + Number(f[12]));
      } catch {
        // Gone between the listing and the read.
      }
    }
    return ticks;
  };
  const before = read();
  return () => {
    let total = 0;
    for (const [pid, t] of read()) total += t - (before.get(pid) ?? 0);
    return (total / TICKS_PER_SECOND) * 1e6;
  };
}
