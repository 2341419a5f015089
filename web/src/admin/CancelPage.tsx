import { cancellationProgress } from '@domain/night-figures.js';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../lib/api.js';
import { session } from '../lib/session.js';
import { money as formatMoney } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import { Slotted } from '../ui/Slotted.js';
import { useLoad } from '../lib/use-load.js';
import { AdminShell } from './AdminShell.js';
import type { AdminEvent } from './types.js';
import type * as contract from '../lib/contract.js';

type Preview = contract.CancellationPreview;

type Refunds = contract.RefundsView;

/**
 * `/admin/events/:id/cancel`: the seed's flow. Cancel → a confirmation with the refund total
 * (orders, tickets, tables, holds), typed approval (the event's name) → Approve → the refunds'
 * progress, polled every second until none is pending; failed ones listed with their error and a
 * retry. Once cancelled, the same page shows the refunds.
 */
export function CancelPage({ id }: { id: string }) {
  return (
    <AdminShell title={t('dash.cancel')}>
      <CancelFlow id={id} />
    </AdminShell>
  );
}

function CancelFlow({ id }: { id: string }) {
  const token = session.value!.token;
  const [typed, setTyped] = useState('');
  const [actionProblem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const eventLoad = useLoad((signal) => api<AdminEvent>(`/api/v1/events/${id}`, { token, signal }), [id, token]);
  const event = eventLoad.data;
  const known = event !== null;
  const cancelled = event?.status === 'cancelled';
  // Before: what cancelling would refund, with the token that approves exactly that. After: the refunds.
  const previewLoad = useLoad(
    async (signal) =>
      known && !cancelled ? api<Preview>(`/api/v1/events/${id}/cancellation`, { token, signal }) : null,
    [id, token, known, cancelled],
  );
  const preview = previewLoad.data;
  const refundsLoad = useLoad(
    async (signal) => (cancelled ? api<Refunds>(`/api/v1/events/${id}/refunds`, { token, signal }) : null),
    [id, token, cancelled],
  );
  const refunds = refundsLoad.data;
  const problem = actionProblem ?? eventLoad.error ?? previewLoad.error ?? refundsLoad.error;

  // Refunds drain in the background: look every second until none is pending.
  const draining = refunds !== null && refunds.pending > 0;
  const reloadRefunds = refundsLoad.reload;
  useEffect(() => {
    if (!draining) return;
    const everySecond = setInterval(() => void reloadRefunds(), 1000);
    return () => clearInterval(everySecond);
  }, [draining, reloadRefunds]);

  if (!event) return problem ? <p class="form-error">{problem}</p> : <p class="muted">{t('common.loading')}</p>;
  const money = (c: number) => formatMoney(c, event.currency);

  const approve = async (e: Event) => {
    e.preventDefault();
    if (!preview) return;
    setBusy(true);
    setProblem(null);
    try {
      await api(`/api/v1/events/${id}/cancel`, {
        body: { confirmation_token: preview.confirmation_token },
        token,
      });
      eventLoad.setData({ ...event, status: 'cancelled' });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'confirmation_stale') {
        // Sales moved since the preview: show the new total and ask again.
        previewLoad.setData(await api<Preview>(`/api/v1/events/${id}/cancellation`, { token }));
        setTyped('');
      }
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const retry = async () => {
    setProblem(null);
    try {
      refundsLoad.setData(await api<Refunds>(`/api/v1/events/${id}/refunds/retry`, { method: 'POST', token }));
    } catch (err) {
      setProblem(errorText(err));
    }
  };

  if (event.status === 'cancelled') {
    // The cancellation's own refunds (src/domain/night-figures.ts): what its preview promised.
    const p = refunds ? cancellationProgress(refunds.items) : null;
    const done = p ? p.succeeded + p.failed : 0;
    const pct = p && p.orders ? Math.round((done / p.orders) * 100) : 100;
    const failed = refunds?.items.filter((r) => r.status === 'failed') ?? [];
    return (
      <section class="stack">
        <h1>{t('cancel.done', { name: event.name })}</h1>
        <p class="muted">{t('cancel.doneWhat')}</p>
        {refunds && p && (
          <div class="card stack" data-testid="refund-progress">
            <h2>{t('cancel.progress', { state: p.pending > 0 ? 'pending' : failed.length ? 'failed' : 'done' })}</h2>
            <div
              class="progress"
              role="progressbar"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={pct}
              aria-label={t('cancel.progressLabel')}
            >
              <div class="bar ok" style={{ width: `${p.orders ? (p.succeeded / p.orders) * 100 : 100}%` }} />
              <div class="bar bad" style={{ width: `${p.orders ? (p.failed / p.orders) * 100 : 0}%` }} />
            </div>
            <p>
              <strong data-testid="refunds-succeeded">{p.succeeded}</strong> {t('cancel.succeeded')} ·{' '}
              <strong>{p.failed}</strong> {t('cancel.failed')} · <strong>{p.pending}</strong> {t('cancel.pending')} ·{' '}
              <span data-testid="refunds-money">
                {t('cancel.money', { refunded: money(p.refundedCents), total: money(p.totalCents), orders: p.orders })}
              </span>
            </p>
            {p.earlier.orders > 0 && (
              <p class="muted small" data-testid="refunds-earlier">
                {t('cancel.earlier', { count: p.earlier.orders, amount: money(p.earlier.cents) })}
              </p>
            )}
            {failed.length > 0 && (
              <>
                <ul class="list">
                  {failed.map((r) => (
                    <li key={r.order_id}>
                      {t('cancel.failedItem', {
                        id: r.order_id.slice(0, 8),
                        amount: money(r.amount_cents),
                        attempts: r.attempts,
                      })}{' '}
                      <span class="muted">{r.last_error}</span>
                    </li>
                  ))}
                </ul>
                <button class="btn primary" type="button" onClick={retry}>
                  {t('cancel.retry')}
                </button>
              </>
            )}
          </div>
        )}
        {problem && <p class="form-error">{problem}</p>}
        <a class="btn ghost" href={`/admin/events/${id}`}>
          {t('cancel.back')}
        </a>
      </section>
    );
  }

  return (
    <form class="stack" onSubmit={approve}>
      <h1>{t('cancel.question', { name: event.name })}</h1>
      {problem && (
        <p class="form-error" role="alert">
          {problem}
        </p>
      )}
      {preview && (
        <section class="card stack danger-zone" data-testid="cancel-preview">
          <p class="refund-total">
            <Slotted message="cancel.total" slot="amount">
              <strong data-testid="refund-total">{money(preview.refund_total_cents)}</strong>
            </Slotted>
          </p>
          <ul class="list">
            <li>{t('cancel.orders', { count: preview.orders })}</li>
            <li>{t('cancel.tickets', { count: preview.tickets })}</li>
            <li>{t('cancel.reservations', { count: preview.reservations })}</li>
            <li>{t('cancel.holds', { count: preview.holds })}</li>
          </ul>
          <p>{t('cancel.told')}</p>
          <div class="field">
            <label for="confirm-name">{t('cancel.typeName', { name: event.name })}</label>
            <input
              id="confirm-name"
              class="input"
              autoComplete="off"
              value={typed}
              onInput={(e) => setTyped(e.currentTarget.value)}
            />
          </div>
          <div class="row">
            <button class="btn danger" type="submit" disabled={busy || typed.trim() !== event.name.trim()}>
              {busy ? t('cancel.cancelling') : t('cancel.approve')}
            </button>
            <a class="btn ghost" href={`/admin/events/${id}`}>
              {t('cancel.keep')}
            </a>
          </div>
        </section>
      )}
    </form>
  );
}
