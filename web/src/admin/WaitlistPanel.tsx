import { useEffect } from 'preact/hooks';
import { useLoad } from '../lib/use-load.js';
import { api } from '../lib/api.js';
import { clockTime } from '../lib/format.js';
import type * as contract from '../lib/contract.js';

type Entry = contract.WaitlistView['entries'][number];

const STATE: Record<Entry['state'], { words: string; tone: string }> = {
  waiting: { words: 'Waiting', tone: '' },
  offered: { words: 'Offered', tone: 'warn' },
  bought: { words: 'Bought', tone: 'ok' },
  lapsed: { words: 'Offer lapsed', tone: 'bad' },
};

/** The night's waitlist for the owner: who waits, in order, and what became of each offer (read every 15 s). */
export function WaitlistPanel({ eventId, token }: { eventId: string; token: string }) {
  const loaded = useLoad(
    (signal) =>
      api<{ entries: Entry[] }>(`/api/v1/events/${eventId}/waitlist`, { token, signal }).then((r) => r.entries),
    [eventId, token],
  );
  const entries = loaded.data ?? [];
  const problem = loaded.error;
  const reload = loaded.reload;
  useEffect(() => {
    const t = setInterval(() => void reload(), 15_000);
    return () => clearInterval(t);
  }, [reload]);
  if (entries.length === 0 && !problem) return null;
  const waiting = entries.filter((e) => e.state === 'waiting');

  return (
    <section class="card stack">
      <h2>
        Waitlist{' '}
        <span class="muted">
          · {waiting.length} waiting for {waiting.reduce((n, e) => n + e.quantity, 0)} tickets
        </span>
      </h2>
      {problem && <p class="form-error">{problem}</p>}
      <div class="table-scroll" tabIndex={0} role="region" aria-label="The waitlist, first come first">
        <table class="figures" data-testid="waitlist">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Who</th>
              <th scope="col">Tickets</th>
              <th scope="col">Joined</th>
              <th scope="col">Offer</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={e.id}>
                <td>{i + 1}</td>
                <th scope="row">
                  {e.name} <span class="muted small">{e.email}</span>
                </th>
                <td>{e.quantity}</td>
                <td>{clockTime(e.joined_at)}</td>
                <td>
                  <span class={`pill ${STATE[e.state].tone}`}>{STATE[e.state].words}</span>
                  {e.state === 'offered' && e.offer_expires_at && (
                    <span class="muted small"> until {clockTime(e.offer_expires_at)}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted small">
        Places that come free (a lapsed hold, a refund, more capacity) are offered in this order, held for each person
        for a while; unpaid, they pass on.
      </p>
    </section>
  );
}
