import { useEffect } from 'preact/hooks';
import { useLoad } from '../lib/use-load.js';
import { api } from '../lib/api.js';
import { clockTime } from '../lib/format.js';
import type * as contract from '../lib/contract.js';
import { t } from '../lib/i18n.js';

type Entry = contract.WaitlistView['entries'][number];

const TONE: Record<Entry['state'], string> = { waiting: '', offered: 'warn', bought: 'ok', lapsed: 'bad' };

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
    const every15s = setInterval(() => void reload(), 15_000);
    return () => clearInterval(every15s);
  }, [reload]);
  if (entries.length === 0 && !problem) return null;
  const waiting = entries.filter((e) => e.state === 'waiting');

  return (
    <section class="card stack">
      <h2>
        {t('waitlistPanel.title')}{' '}
        <span class="muted">
          ·{' '}
          {t('waitlistPanel.waiting', {
            people: waiting.length,
            tickets: waiting.reduce((n, e) => n + e.quantity, 0),
          })}
        </span>
      </h2>
      {problem && <p class="form-error">{problem}</p>}
      <div class="table-scroll" tabIndex={0} role="region" aria-label={t('waitlistPanel.label')}>
        <table class="figures" data-testid="waitlist">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('waitlistPanel.who')}</th>
              <th scope="col">{t('buy.title')}</th>
              <th scope="col">{t('waitlistPanel.joined')}</th>
              <th scope="col">{t('waitlistPanel.offer')}</th>
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
                  <span class={`pill ${TONE[e.state]}`}>{t(`waitlistPanel.state.${e.state}`)}</span>
                  {e.state === 'offered' && e.offer_expires_at && (
                    <span class="muted small">
                      {' '}
                      {t('waitlistPanel.until', { time: clockTime(e.offer_expires_at) })}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted small">{t('waitlistPanel.how')}</p>
    </section>
  );
}
