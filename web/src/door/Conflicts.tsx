import type { DoorEngine } from './engine.js';
import { clockTime } from '../lib/format.js';

/** What the server disagreed with after an offline stretch, in words, until someone dismisses it. */
export function Conflicts({ engine }: { engine: DoorEngine }) {
  const list = engine.conflicts.value;
  if (!list.length) return null;
  return (
    <section class="card conflicts" aria-label="Conflicts from offline scans" role="alert">
      <div class="row">
        <h2>
          {list.length} conflict{list.length > 1 ? 's' : ''} from offline scans
        </h2>
        <span class="spacer" />
        <button class="btn small" type="button" onClick={() => void engine.dismissConflicts()}>
          Dismiss
        </button>
      </div>
      <ul class="list">
        {list.map((c) => (
          <li key={c.id} data-testid="conflict">
            <strong>{c.holderName ?? 'Unknown ticket'}</strong>{' '}
            <span class="faint small">scanned {clockTime(c.scannedAt)}</span>
            <div class="muted">{c.message}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}
