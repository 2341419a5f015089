import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { dayAndTime } from '../lib/format.js';
import { savedOrders, type SavedOrder } from '../lib/my-orders.js';
import { Topbar } from '../ui/Topbar.js';
import { LanguageSwitcher } from '../ui/LanguageSwitcher.js';
import { t } from '../lib/i18n.js';
import type * as contract from '../lib/contract.js';

type PublicEvent = contract.EventList['events'][number];

/** Where everyone starts: upcoming nights for buyers, the door and the dashboard for the team. */
export function Home() {
  const [events, setEvents] = useState<PublicEvent[] | null>(null);
  const [mine, setMine] = useState<SavedOrder[]>([]);
  useEffect(() => {
    savedOrders().then(setMine, () => setMine([]));
    api<{ events: PublicEvent[] }>('/api/v1/events').then(
      (r) => setEvents(r.events),
      () => setEvents([]),
    );
  }, []);
  return (
    <>
      <Topbar title="" />
      <main class="page narrow stack">
        {mine.length > 0 && (
          <>
            <h2>{t('home.yourTickets')}</h2>
            <ul class="list">
              {mine.map((o) => (
                <li key={o.orderId}>
                  <a href={`/orders/${o.orderId}#token=${o.token}`}>
                    <strong>{o.eventName}</strong>
                  </a>
                  <div class="muted small">{dayAndTime(o.startsAt, o.event?.time_zone)}</div>
                </li>
              ))}
            </ul>
          </>
        )}
        <div class="row">
          <h1>{t('home.heading')}</h1>
          <span class="spacer" />
          <LanguageSwitcher />
        </div>
        {events === null && <p class="muted">{t('common.loading')}</p>}
        {events?.length === 0 && <p class="muted">{t('home.none')}</p>}
        {events && events.length > 0 && (
          <ul class="list">
            {events.map((e) => (
              <li key={e.id}>
                <a href={`/e/${e.id}`}>
                  <strong>{e.name}</strong>
                </a>
                <div class="muted small">{dayAndTime(e.starts_at, e.time_zone)}</div>
              </li>
            ))}
          </ul>
        )}
        <h2>{t('home.team')}</h2>
        <div class="row">
          <a class="btn primary" href="/door">
            {t('door.title')}
          </a>
          <a class="btn" href="/admin">
            {t('home.dashboard')}
          </a>
        </div>
      </main>
    </>
  );
}
