import type { AppDeps } from '../deps.js';
import { recordScan, type RecordedScan } from './record-scan.js';

export interface ScanTicketInput {
  qr: string | null;
  /** Manual admission by ticket id (see ScanAttempt.ticketId). */
  ticketId?: string | null;
  scannerId: string;
  /** The event this scanner works; a code for any other event is `wrong_event`. */
  eventId: string;
  userId: string;
  /** Retry key: the same nonce from the same scanner answers the first result again. */
  nonce: string | null;
}

/** `POST /scans`: an online scan at the door, decided now (404 when the scanner's event does not exist). */
export async function scanTicket(
  deps: Pick<AppDeps, 'database' | 'keys' | 'config' | 'clock' | 'metrics'>,
  input: ScanTicketInput,
): Promise<RecordedScan> {
  const recorded = await recordScan(deps, {
    qr: input.qr,
    ticketId: input.ticketId ?? null,
    scannerId: input.scannerId,
    scannerEventId: input.eventId,
    userId: input.userId,
    nonce: input.nonce,
    at: deps.clock.now(),
    deviceResult: null,
  });
  if (!recorded.replayed) deps.metrics.scanned(recorded.response.result, input.ticketId ? 'manual' : 'code', 'online');
  return recorded;
}
