import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { dayAndTime, money as formatMoney } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import { session } from '../lib/session.js';
import { AdminShell } from './AdminShell.js';
import type { Summary } from './EventDashboard.js';
import { phaseOf, type ListedEvent } from './types.js';

const SECTIONS = ['tonight', 'upcoming', 'past', 'cancelled'] as const;

/** `/admin`: every event, grouped by where it stands, with sold / capacity at a glance. */
export function EventsPage() {
  return (
    <AdminShell title={t('admin.nav.events')}>
      <EventList />
    </AdminShell>
  );
}

function EventList() {
  const token = session.value!.token;
  const [events, setEvents] = useState<Array<ListedEvent & { summary: Summary }> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void (async () => {
      try {
        const { events: list } = await api<{ events: ListedEvent[] }>('/api/v1/events', { token });
        // Each event's figures are its dashboard's own (GET /summary): the list and the event page agree.
        setEvents(
          await Promise.all(
            list.map(async (e) => ({
              ...e,
              summary: await api<Summary>(`/api/v1/events/${e.id}/summary`, { token }),
            })),
          ),
        );
      } catch (err) {
        setProblem(errorText(err));
      }
    })();
  }, [token]);

  return (
    <>
      <div class="row">
        <h1>{t('admin.nav.events')}</h1>
        <span class="spacer" />
        <a class="btn primary" href="/admin/events/new">
          {t('admin.events.new')}
        </a>
      </div>
      {problem && <p class="form-error">{problem}</p>}
      {!events && !problem && <p class="muted">{t('common.loading')}</p>}
      {events?.length === 0 && <p class="muted">{t('admin.events.none')}</p>}
      {events &&
        SECTIONS.map((phase) => {
          const list = events.filter((e) => phaseOf(e) === phase);
          if (!list.length) return null;
          const ordered = phase === 'past' || phase === 'cancelled' ? [...list].reverse() : list;
          return (
            <section key={phase} class="stack">
              <h2>{t(`admin.events.phase.${phase}`)}</h2>
              <ul class="list event-list">
                {ordered.map((e) => (
                  <li key={e.id}>
                    <a href={`/admin/events/${e.id}`} class="event-link">
                      <strong>{e.name}</strong>
                      <span class="muted small">{dayAndTime(e.starts_at, e.time_zone)}</span>
                    </a>
                    <span class="small" data-testid="sold">
                      <Figures event={e} />
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
    </>
  );
}

/**
 * One line per event: what sold and what it took; a cancelled event, what was paid back (its GA
 * count no longer means anything); a past one, who came.
 */
function Figures({ event }: { event: ListedEvent & { summary: Summary } }) {
  const { sales, door, currency } = event.summary;
  const money = (cents: number) => formatMoney(cents, currency);
  if (event.status === 'cancelled')
    return (
      <>
        {t('admin.events.cancelledFigures', {
          refunded: money(sales.refunded_cents),
          taken: money(sales.revenue_cents),
        })}
      </>
    );
  const sold = t('admin.events.figures', {
    gaSold: sales.ga_sold,
    gaCapacity: sales.ga_capacity,
    tablesSold: sales.tables_sold,
    tablesTotal: sales.tables_total,
    net: money(sales.revenue_cents - sales.refunded_cents),
  });
  return phaseOf(event) === 'past' ? (
    <>{t('admin.events.came', { figures: sold, count: door.admitted })}</>
  ) : (
    <>{sold}</>
  );
}
