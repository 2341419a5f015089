import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { dayAndTime } from '../lib/format.js';
import { Topbar } from '../ui/Topbar.js';

interface PublicEvent {
  id: string;
  name: string;
  starts_at: string;
  ends_at: string;
}


/** Where everyone starts: upcoming nights for buyers, the door and the dashboard for the team. */
export function Home() {
  const [events, setEvents] = useState<PublicEvent[] | null>(null);
  useEffect(() => {
    api<{ events: PublicEvent[] }>('/api/v1/events', { timeoutMs: 10_000 }).then(
      (r) => setEvents(r.events),
      () => setEvents([]),
    );
  }, []);
  return (
    <>
      <Topbar title="" />
      <main class="page narrow stack">
        <h1>Tonight and soon</h1>
        {events === null && <p class="muted">Loading…</p>}
        {events?.length === 0 && <p class="muted">No upcoming events.</p>}
        {events && events.length > 0 && (
          <ul class="list">
            {events.map((e) => (
              <li key={e.id}>
                <a href={`/e/${e.id}`}>
                  <strong>{e.name}</strong>
                </a>
                <div class="muted small">{dayAndTime(e.starts_at)}</div>
              </li>
            ))}
          </ul>
        )}
        <h2>For the team</h2>
        <div class="row">
          <a class="btn primary" href="/door">
            Door scanner
          </a>
          <a class="btn" href="/admin">
            Owner dashboard
          </a>
        </div>
      </main>
    </>
  );
}
