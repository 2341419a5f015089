import type { DoorEngine } from './engine.js';
import { clockTime } from '../lib/format.js';
import { t } from '../lib/i18n.js';

/** The night at a glance, from this device's ticket list (each person counted once across doors). */
export function Counters({ engine }: { engine: DoorEngine }) {
  const c = engine.counters.value;
  const refreshed = engine.refreshedAt.value;
  return (
    <section class="card counters" aria-label={t('door.counters.label')}>
      <div class="stat">
        <span class="value" data-testid="admitted">
          {c.admitted}/{c.sold}
        </span>
        <span class="label">{t('door.counters.admitted')}</span>
      </div>
      <div class="stat">
        <span class="value" data-testid="by-this-door">
          {c.byThisDoor}
        </span>
        <span class="label">{t('door.counters.byDoor', { door: engine.scannerId })}</span>
      </div>
      <div class="stat">
        <span class="value" data-testid="tables">
          {c.tablesArrived}/{c.tablesReserved}
        </span>
        <span class="label">{t('door.counters.tables')}</span>
      </div>
      <p class="faint small as-of">
        {refreshed ? t('door.counters.asOf', { time: clockTime(refreshed) }) : t('door.counters.notYet')}
      </p>
    </section>
  );
}
