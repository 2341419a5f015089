import { formatMoney } from '@domain/money.js';
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { dayAndTime } from '../lib/format.js';
import { session } from '../lib/session.js';
import { AdminShell } from './AdminShell.js';
import type { Summary } from './EventDashboard.js';
import { phaseOf, type ListedEvent } from './types.js';

const SECTIONS = [
  { phase: 'tonight', title: 'Tonight' },
  { phase: 'upcoming', title: 'Upcoming' },
  { phase: 'past', title: 'Past' },
  { phase: 'cancelled', title: 'Cancelled' },
] as const;

/** `/admin`: every event, grouped by where it stands, with sold / capacity at a glance. */
export function EventsPage() {
  return (
    <AdminShell title="Events">
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
        <h1>Events</h1>
        <span class="spacer" />
        <a class="btn primary" href="/admin/events/new">
          New event
        </a>
      </div>
      {problem && <p class="form-error">{problem}</p>}
      {!events && !problem && <p class="muted">Loading…</p>}
      {events?.length === 0 && <p class="muted">No events yet. Create the first one.</p>}
      {events &&
        SECTIONS.map(({ phase, title }) => {
          const list = events.filter((e) => phaseOf(e) === phase);
          if (!list.length) return null;
          const ordered = phase === 'past' || phase === 'cancelled' ? [...list].reverse() : list;
          return (
            <section key={phase} class="stack">
              <h2>{title}</h2>
              <ul class="list event-list">
                {ordered.map((e) => (
                  <li key={e.id}>
                    <a href={`/admin/events/${e.id}`} class="event-link">
                      <strong>{e.name}</strong>
                      <span class="muted small">{dayAndTime(e.starts_at)}</span>
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
        Cancelled · {money(sales.refunded_cents)} refunded of {money(sales.revenue_cents)} taken
      </>
    );
  const sold = `GA ${sales.ga_sold} / ${sales.ga_capacity} · tables ${sales.tables_sold} / ${sales.tables_total} · ${money(sales.revenue_cents - sales.refunded_cents)}`;
  return phaseOf(event) === 'past' ? <>{`${sold} · ${door.admitted} came`}</> : <>{sold}</>;
}
