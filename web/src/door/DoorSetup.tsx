import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { session } from '../lib/session.js';
import { Topbar } from '../ui/Topbar.js';
import { clockTime, dayAndTime } from '../lib/format.js';
import type * as contract from '../lib/contract.js';
import { t } from '../lib/i18n.js';
import { LanguageSwitcher } from '../ui/LanguageSwitcher.js';

export interface DoorChoice {
  eventId: string;
  eventName: string;
  scannerId: string;
}

type ListedEvent = contract.EventList['events'][number];

/** Tonight's event: the one open now, else the one that opens soonest. */
export function tonight(events: ListedEvent[], now = Date.now()): ListedEvent | undefined {
  const live = events.filter((e) => e.status === 'scheduled' && Date.parse(e.ends_at) > now);
  const open = live
    .filter((e) => Date.parse(e.starts_at) <= now)
    .sort((a, b) => Date.parse(a.ends_at) - Date.parse(b.ends_at));
  return open[0] ?? live.sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at))[0];
}

const when = (e: ListedEvent) =>
  t('door.setup.when', { start: dayAndTime(e.starts_at, e.time_zone), end: clockTime(e.ends_at, e.time_zone) });

export function DoorSetup({ current, onDone }: { current: DoorChoice | null; onDone: (c: DoorChoice) => void }) {
  const [events, setEvents] = useState<ListedEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [eventId, setEventId] = useState(current?.eventId ?? '');
  const [scannerId, setScannerId] = useState(current?.scannerId ?? 'door-1');

  useEffect(() => {
    api<{ events: ListedEvent[] }>('/api/v1/events', { token: session.value!.token }).then(
      (r) => {
        const live = r.events.filter((e) => e.status === 'scheduled' && Date.parse(e.ends_at) > Date.now());
        setEvents(live);
        setEventId((id) => (id && live.some((e) => e.id === id) ? id : (tonight(live)?.id ?? '')));
      },
      (err) => setError(errorText(err)),
    );
  }, []);

  const submit = (e: Event) => {
    e.preventDefault();
    const chosen = events?.find((x) => x.id === eventId);
    const name = scannerId.trim();
    if (!chosen || !name) return;
    onDone({ eventId: chosen.id, eventName: chosen.name, scannerId: name });
  };

  return (
    <>
      <Topbar title={t('door.title')} />
      <main class="page narrow">
        <form class="card stack" onSubmit={submit}>
          <div class="row">
            <h1>{t('door.setup.heading')}</h1>
            <span class="spacer" />
            <LanguageSwitcher />
          </div>
          {error && (
            <p class="form-error" role="alert">
              {error}
            </p>
          )}
          {events === null && !error && <p class="muted">{t('door.setup.loading')}</p>}
          {events?.length === 0 && <p class="muted">{t('door.setup.none')}</p>}
          {events && events.length > 0 && (
            <fieldset class="stack event-choice">
              <legend>{t('door.setup.event')}</legend>
              {events.map((e) => (
                <label key={e.id} class={`choice${e.id === eventId ? ' chosen' : ''}`}>
                  <input
                    type="radio"
                    name="event"
                    value={e.id}
                    checked={e.id === eventId}
                    onChange={() => setEventId(e.id)}
                  />
                  <span>
                    <strong>{e.name}</strong>
                    <span class="muted small"> {when(e)}</span>
                  </span>
                </label>
              ))}
            </fieldset>
          )}
          <div class="field">
            <label for="scanner-id">{t('door.setup.deviceName')}</label>
            <input
              id="scanner-id"
              class="input"
              required
              maxLength={100}
              value={scannerId}
              onInput={(e) => setScannerId(e.currentTarget.value)}
            />
            <span class="faint small">{t('door.setup.deviceHint')}</span>
          </div>
          <button class="btn primary block" type="submit" disabled={!eventId || !scannerId.trim()}>
            {t('door.setup.start')}
          </button>
        </form>
      </main>
    </>
  );
}
