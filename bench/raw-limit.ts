import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface RawLimit {
  spread: number;
  hot: number;
}

/**
 * ../shared/bench/raw-limit.sh: pgbench replaying the smallest check-in transaction (lock the
 * ticket, mark it, log the scan) on the same PostgreSQL, with the same client count. It creates
 * and drops its own scratch database. Velvet's figures are given as ratios of these.
 */
export function measureRawLimit(
  script: string,
  databaseUrl: string,
  clients: number,
  seconds: number,
): Promise<RawLimit> {
  if (!existsSync(script)) throw new Error(`raw-limit script not found at ${script}`);
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [script, String(clients), String(seconds)],
      { env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: (2 * seconds + 120) * 1000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`raw-limit.sh failed: ${err.message}\n${stderr}`));
        const m = /^raw_checkin_tps ([\d.]+) ([\d.]+)$/m.exec(stdout);
        if (!m)
          return reject(new Error(`raw-limit.sh printed no figures (is pgbench installed?):\n${stdout}${stderr}`));
        resolve({ spread: Number(m[1]), hot: Number(m[2]) });
      },
    );
  });
}
