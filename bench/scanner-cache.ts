/**
 * The scanner cache a door downloads before the night (and refreshes with `?since=`): its size on
 * the wire (gzip, as browsers ask for it) and unpacked, and how long the server takes to serve it,
 * for an event of `tickets` paid tickets; then the delta after 100 of them change (checked in at
 * the door), which a scanner fetches every few seconds.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { HttpClient } from './http-client.js';
import { quantile } from './load.js';

export interface CacheFigures {
  tickets: number;
  fullGzipBytes: number;
  fullJsonBytes: number;
  /** Milliseconds to serve the full cache (client side, 127.0.0.1), median and worst of `repeats`. */
  fullMsP50: number;
  fullMsMax: number;
  changes: number;
  deltaTickets: number;
  deltaGzipBytes: number;
  deltaJsonBytes: number;
  deltaMs: number;
}

export async function measureScannerCache(
  http: HttpClient,
  p: { eventId: string; qrs: string[]; staffToken: string; repeats: number; changes: number },
): Promise<CacheFigures> {
  const auth = { authorization: `Bearer ${p.staffToken}`, 'accept-encoding': 'gzip' };
  const url = `/api/v1/events/${p.eventId}/scanner-cache`;
  const get = async (path: string) => {
    const t0 = performance.now();
    const res = await http.getRaw(path, auth);
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`scanner cache: HTTP ${res.status}`);
    if (res.headers['content-encoding'] !== 'gzip') throw new Error('the scanner cache was not sent gzipped');
    const json = gunzipSync(res.body);
    return {
      ms,
      gzip: res.body.length,
      json: json.length,
      body: JSON.parse(json.toString('utf8')) as { generated_at: string; tickets: unknown[] },
    };
  };
  const fulls = [];
  for (let i = 0; i < p.repeats; i++) fulls.push(await get(url));
  const full = fulls.at(-1)!;
  for (const qr of p.qrs.slice(0, p.changes)) {
    const res = await http.post(
      '/api/v1/scans',
      { qr, scanner_id: 'cache-gate', event_id: p.eventId, nonce: randomUUID() },
      { authorization: `Bearer ${p.staffToken}` },
    );
    if (res.status !== 200) throw new Error(`scan for the cache delta: HTTP ${res.status}`);
  }
  const delta = await get(`${url}?since=${encodeURIComponent(full.body.generated_at)}`);
  const times = Float64Array.from(fulls.map((f) => f.ms)).sort();
  return {
    tickets: full.body.tickets.length,
    fullGzipBytes: full.gzip,
    fullJsonBytes: full.json,
    fullMsP50: quantile(times, 0.5),
    fullMsMax: times.at(-1)!,
    changes: p.changes,
    deltaTickets: delta.body.tickets.length,
    deltaGzipBytes: delta.gzip,
    deltaJsonBytes: delta.json,
    deltaMs: delta.ms,
  };
}

export function cacheText(c: CacheFigures): string {
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  return [
    `scanner cache [postgres], ${c.tickets.toLocaleString('en-US')} tickets: ${kb(c.fullGzipBytes)} gzipped (${kb(c.fullJsonBytes)} JSON, ${(c.fullGzipBytes / c.tickets).toFixed(1)} B/ticket), served in ${c.fullMsP50.toFixed(0)} ms (median; worst ${c.fullMsMax.toFixed(0)} ms)`,
    `scanner cache ?since= after ${c.changes} check-ins: ${c.deltaTickets} tickets, ${kb(c.deltaGzipBytes)} gzipped (${kb(c.deltaJsonBytes)} JSON), ${c.deltaMs.toFixed(0)} ms`,
  ].join('\n');
}
