/**
 * Bundled by bench/offline-decision.ts with the web app's own tsconfig: the door's offline decision
 * exactly as the scanner page ships it (decide-offline.ts, the same check-in rules and signature
 * check), fed a scanner cache held in memory as the page holds it after loading IndexedDB.
 */
import { decideOffline } from '../../web/src/door/decide-offline.js';
import { TicketCache, type ScannerCacheResponse } from '../../web/src/door/ticket-cache.js';
import { makeVerifier } from '../../web/src/door/verify.js';

export interface OfflineRun {
  decisions: number;
  admitted: number;
  /** Wall time per decision, µs, signature check included. */
  usPerDecision: number;
  verifier: 'webcrypto' | 'noble';
}

export async function runOfflineDecisions(
  response: ScannerCacheResponse,
  codes: string[],
  useWebCrypto: boolean,
): Promise<OfflineRun> {
  const cache = new TicketCache(response.event.id);
  for (const t of response.tickets) cache.tickets.set(t.id, t);
  cache.meta = {
    eventId: response.event.id,
    event: response.event,
    publicKey: response.public_key,
    generatedAt: response.generated_at,
    refreshedAt: new Date().toISOString(),
    reentryWarningSeconds: response.reentry_warning_seconds,
  };
  // Without WebCrypto's Ed25519 (older browsers, or a page not served over HTTPS/localhost) the
  // page falls back to @noble/ed25519: measured by hiding crypto.subtle, as such a browser would.
  const subtle = globalThis.crypto.subtle;
  if (!useWebCrypto) Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true });
  let verify;
  try {
    verify = await makeVerifier(response.public_key);
  } finally {
    if (!useWebCrypto) Object.defineProperty(globalThis.crypto, 'subtle', { value: subtle, configurable: true });
  }
  const now = new Date();
  let admitted = 0;
  const t0 = performance.now();
  for (const qr of codes) {
    const { decision } = await decideOffline({ qr }, cache, verify, 'bench-offline', now);
    if (decision.result === 'admitted') admitted++;
  }
  const us = ((performance.now() - t0) * 1000) / codes.length;
  return { decisions: codes.length, admitted, usPerDecision: us, verifier: useWebCrypto ? 'webcrypto' : 'noble' };
}
