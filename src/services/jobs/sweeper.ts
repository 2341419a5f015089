import type { AppDeps } from '../deps.js';
import { completeDueEvents } from '../events/complete-event.service.js';
import { expireHolds } from '../orders/expire-holds.service.js';
import { offerFreedPlacesEverywhere } from '../waitlist/waitlist.service.js';
import { pushPassUpdates, updateGoogleObjects } from '../wallet/pass-updates.service.js';

/**
 * Runs the time-driven work every `intervalMs`: lapsed holds are released, the places that freed
 * (or that a refund or a bigger capacity freed) offered to waitlists, phones told of wallet passes
 * that changed, and ended events completed,
 * with no manual step. Each instance may run one; SKIP LOCKED and the event row's lock keep them apart.
 */
export function startSweeper(
  deps: Pick<AppDeps, 'database' | 'clock' | 'metrics' | 'config' | 'keys' | 'payments' | 'wallets'>,
  intervalMs: number,
  log: (msg: string) => void,
) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const tick = async () => {
    try {
      for (let n; (n = await expireHolds(deps)) > 0 && !stopped;) deps.metrics.holdsExpired(n);
      await offerFreedPlacesEverywhere(deps);
      // Phones holding a wallet pass whose content changed are told to fetch it again.
      while ((await pushPassUpdates(deps, log)) > 0 && !stopped);
      while ((await updateGoogleObjects(deps, log)) > 0 && !stopped);
      const onError = (eventId: string, err: unknown) =>
        log(`sweeper: event ${eventId} could not be completed: ${(err as Error).message}`);
      while ((await completeDueEvents(deps, { onError })) > 0 && !stopped);
    } catch (err) {
      log(`sweeper: ${(err as Error).message}`);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, intervalMs);
  };
  running = tick().finally(schedule);

  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
