import type { DoorEngine } from './engine.js';
import { clockTime } from '../lib/format.js';

/** The night at a glance, from this device's ticket list (each person counted once across doors). */
export function Counters({ engine }: { engine: DoorEngine }) {
  const c = engine.counters.value;
  const refreshed = engine.refreshedAt.value;
  return (
    <section class="card counters" aria-label="Tonight">
      <div class="stat">
        <span class="value" data-testid="admitted">
          {c.admitted}/{c.sold}
        </span>
        <span class="label">Admitted / sold</span>
      </div>
      <div class="stat">
        <span class="value" data-testid="by-this-door">
          {c.byThisDoor}
        </span>
        <span class="label">By {engine.scannerId}</span>
      </div>
      <div class="stat">
        <span class="value" data-testid="tables">
          {c.tablesArrived}/{c.tablesReserved}
        </span>
        <span class="label">VIP tables arrived</span>
      </div>
      <p class="faint small as-of">
        {refreshed
          ? `Ticket list from ${clockTime(refreshed)}, plus this door's own scans`
          : 'Ticket list not downloaded yet'}
      </p>
    </section>
  );
}
