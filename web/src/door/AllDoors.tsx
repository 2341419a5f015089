import { useEffect, useState } from 'preact/hooks';
import { clockTime } from '../lib/format.js';
import { useLatest } from '../lib/use-latest.js';
import { openDoorFiguresStream, type DoorFigures, type FeedStatus } from '../lib/floor-stream.js';
import { t } from '../lib/i18n.js';

/**
 * Every door's count, pushed live from the server (the same figures as the owner's dashboard):
 * who let how many in, and the total. With no connection it says how old the last figures are.
 */
export function AllDoors({
  eventId,
  token,
  scannerId,
  onFigures,
  onUnauthorized,
}: {
  eventId: string;
  token: string;
  scannerId: string;
  /** Each push (the door's own list catches up when it disagrees). */
  onFigures: (figures: DoorFigures) => void;
  onUnauthorized: () => void;
}) {
  const [figures, setFigures] = useState<{ at: Date; data: DoorFigures } | null>(null);
  const [status, setStatus] = useState<FeedStatus>('connecting');
  const handlers = useLatest({ onFigures, onUnauthorized });
  useEffect(
    () =>
      openDoorFiguresStream(eventId, token, {
        onSnapshot: (data) => {
          setFigures({ at: new Date(), data });
          handlers.current.onFigures(data);
        },
        onStatus: setStatus,
        onUnauthorized: () => handlers.current.onUnauthorized(),
      }),
    [eventId, token, handlers],
  );
  if (!figures) return null;
  const live = status === 'live';
  return (
    <section class="card all-doors" aria-label={t('door.allDoors.label')} data-testid="all-doors" data-live={live}>
      <div class="row">
        <strong>{t('door.allDoors.label')}</strong>
        <span class="spacer" />
        <span class={`pill ${live ? 'ok' : 'warn'}`}>
          {live ? t('door.allDoors.live') : t('door.allDoors.asOf', { time: clockTime(figures.at) })}
        </span>
      </div>
      <p class="all-doors-total">
        <span class="value" data-testid="all-doors-admitted">
          {figures.data.admitted}
        </span>{' '}
        {/* The count is always first in Velvet's languages: the word after it is the message. */}
        {t('door.allDoors.in')}
      </p>
      {figures.data.by_door.length > 0 && (
        <ul class="door-counts">
          {figures.data.by_door.map((d) => (
            <li key={d.scanner_id} class={d.scanner_id === scannerId ? 'mine' : ''}>
              <span>{d.scanner_id}</span> <strong>{d.admitted}</strong>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
