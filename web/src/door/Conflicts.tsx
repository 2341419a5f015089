import type { DoorEngine } from './engine.js';
import { clockTime } from '../lib/format.js';
import { t, text } from '../lib/i18n.js';

/** What the server disagreed with after an offline stretch, in words, until someone dismisses it. */
export function Conflicts({ engine }: { engine: DoorEngine }) {
  const list = engine.conflicts.value;
  if (!list.length) return null;
  return (
    <section class="card conflicts" aria-label={t('door.conflicts.label')} role="alert">
      <div class="row">
        <h2>{t('door.conflicts.heading', { count: list.length })}</h2>
        <span class="spacer" />
        <button class="btn small" type="button" onClick={() => void engine.dismissConflicts()}>
          {t('common.dismiss')}
        </button>
      </div>
      <ul class="list">
        {list.map((c) => (
          <li key={c.id} data-testid="conflict">
            <strong>{c.holderName ?? t('door.conflicts.unknownTicket')}</strong>{' '}
            <span class="faint small">{t('door.conflicts.scanned', { time: clockTime(c.scannedAt) })}</span>
            <div class="muted">{text(c.message)}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}
