import type { FeedStatus } from '../lib/floor-stream.js';
import { t } from '../lib/i18n.js';

/** Says whether what the screen shows is live; announced to screen readers when it changes. */
export function LiveBadge({ status }: { status: FeedStatus }) {
  const cls = status === 'live' ? 'ok' : 'warn';
  return (
    <span class={`pill ${cls} live-badge`} role="status" aria-live="polite" data-status={status}>
      <span class={`dot ${status}`} aria-hidden="true" />
      {t(`floor.live.${status}`)}
    </span>
  );
}
