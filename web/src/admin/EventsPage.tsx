import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { dayAndTime } from '../lib/format.js';
import { session } from '../lib/session.js';
import { AdminShell } from './AdminShell.js';
import { phaseOf, type AdminEvent, type ListedEvent } from './types.js';

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
  const [events, setEvents] = useState<Array<AdminEvent & { tablesSold: number }> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void (async () => {
      try {
        const { events: list } = await api<{ events: ListedEvent[] }>('/api/v1/events', { token, timeoutMs: 15_000 });
        // The owner's read of each event carries its GA sales; the availability says which tables are sold.
        setEvents(
          await Promise.all(
            list.map(async (e) => {
              const [full, avail] = await Promise.all([
                api<AdminEvent>(`/api/v1/events/${e.id}`, { token, timeoutMs: 15_000 }),
                api<{ tables: Array<{ status: string }> }>(`/api/v1/events/${e.id}/availability`, { timeoutMs: 15_000 }),
              ]);
              return { ...full, tablesSold: avail.tables.filter((t) => t.status === 'sold').length };
            }),
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
                      GA {e.ga.sold ?? e.ga.capacity - e.ga.available} / {e.ga.capacity} · tables {e.tablesSold} / {e.tables.length}
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
