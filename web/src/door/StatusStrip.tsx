import { useEffect, useState } from 'preact/hooks';
import { STALE_MS, type DoorEngine } from './engine.js';

function ago(d: Date | null, now: number): string {
  if (!d) return 'never synced';
  const min = Math.floor((now - d.getTime()) / 60_000);
  return min < 1 ? 'synced just now' : `synced ${min} min ago`;
}

/** Always visible: online or not, how fresh the ticket list is, how many scans wait to be sent. */
export function StatusStrip({ engine }: { engine: DoorEngine }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(t);
  }, []);
  const online = engine.online.value;
  const refreshed = engine.refreshedAt.value;
  const stale = !refreshed || now - refreshed.getTime() > STALE_MS;
  const pending = engine.pending.value;
  const cls = stale ? 'stale' : online ? 'online' : 'offline';
  return (
    <div class={`status-strip ${cls}`} role="status" aria-live="polite" data-online={online} data-pending={pending}>
      <strong>{online ? 'Online' : 'Offline'}</strong>
      <span>· {ago(refreshed, now)}</span>
      <span>· {pending} pending</span>
      {!online && <span class="hint">scans are decided on this device</span>}
      {stale && <span class="hint">ticket list is out of date</span>}
    </div>
  );
}
