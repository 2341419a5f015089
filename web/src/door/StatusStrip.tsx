import { useEffect, useState } from 'preact/hooks';
import { clockTime } from '../lib/format.js';
import { STALE_MS, type DoorEngine } from './engine.js';
import { t } from '../lib/i18n.js';

/** How fresh the ticket list is; offline, also when it was last fetched (staff compare with the clock). */
export function syncedText(d: Date | null, now: number, online: boolean): string {
  if (!d) return t('door.status.never');
  const seconds = Math.max(0, Math.floor((now - d.getTime()) / 1000));
  const age =
    seconds < 10
      ? t('door.status.justNow')
      : seconds < 60
        ? t('door.status.secondsAgo', { seconds })
        : t('door.status.minutesAgo', { minutes: Math.floor(seconds / 60) });
  return online ? t('door.status.synced', { age }) : t('door.status.lastSynced', { time: clockTime(d), age });
}

/** Always visible: online or not, how fresh the ticket list is, how many scans wait to be sent. */
export function StatusStrip({ engine }: { engine: DoorEngine }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(t);
  }, []);
  const online = engine.online.value;
  const refreshed = engine.refreshedAt.value;
  const stale = !refreshed || now - refreshed.getTime() > STALE_MS;
  const pending = engine.pending.value;
  const cls = stale ? 'stale' : online ? 'online' : 'offline';
  return (
    <div class={`status-strip ${cls}`} role="status" aria-live="polite" data-online={online} data-pending={pending}>
      <strong>{t(online ? 'door.status.online' : 'door.status.offline')}</strong>
      <span data-testid="synced">· {syncedText(refreshed, now, online)}</span>
      <span>· {t('door.status.pending', { count: pending })}</span>
      {!online && <span class="hint">{t('door.status.decidedHere')}</span>}
      {stale && <span class="hint">{t('door.status.stale')}</span>}
    </div>
  );
}
