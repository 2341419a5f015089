/**
 * The offline decision in the scanner bundle: bench/offline/entry.ts bundled with esbuild and the
 * web app's tsconfig (its @domain alias), loaded in this process, and run over a real scanner
 * cache fetched from the server. Node's WebCrypto is the same Ed25519 a browser's is; the pure
 * JS fallback (@noble/ed25519) is measured too.
 */
import { build } from 'esbuild';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { HttpClient } from './http-client.js';

/** What bench/offline/entry.ts reports (typed there under the web app's tsconfig). */
export interface OfflineRun {
  decisions: number;
  admitted: number;
  usPerDecision: number;
  verifier: 'webcrypto' | 'noble';
}

type OfflineModule = {
  runOfflineDecisions(response: unknown, codes: string[], useWebCrypto: boolean): Promise<OfflineRun>;
};

export async function measureOfflineDecision(
  http: HttpClient,
  p: { eventId: string; qrs: string[]; staffToken: string; decisions: number },
): Promise<OfflineRun[]> {
  const res = await http.getRaw(`/api/v1/events/${p.eventId}/scanner-cache`, {
    authorization: `Bearer ${p.staffToken}`,
    'accept-encoding': 'gzip',
  });
  if (res.status !== 200) throw new Error(`scanner cache: HTTP ${res.status}`);
  const response = JSON.parse(gunzipSync(res.body).toString('utf8'));
  const root = join(import.meta.dirname, '..');
  const bundle = await build({
    entryPoints: [join(root, 'bench/offline/entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    tsconfig: join(root, 'web/tsconfig.json'),
    write: false,
    logLevel: 'silent',
  });
  const mod = (await import(
    `data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0]!.text).toString('base64')}`
  )) as OfflineModule;
  const codes = p.qrs.slice(0, p.decisions);
  // Warm up the JIT as a scanner page is warm after its first few scans.
  await mod.runOfflineDecisions(response, codes.slice(0, 200), true);
  return [
    await mod.runOfflineDecisions(response, codes, true),
    await mod.runOfflineDecisions(response, codes.slice(0, Math.min(codes.length, 500)), false),
  ];
}

export function offlineText(runs: OfflineRun[], tickets: number): string {
  return runs
    .map(
      (r) =>
        `offline decision in the scanner bundle (${r.verifier}), ${tickets.toLocaleString('en-US')} cached tickets: ${(r.usPerDecision / 1000).toFixed(3)} ms per scan, signature check included (${r.decisions} codes, ${r.admitted} admitted)`,
    )
    .join('\n');
}
