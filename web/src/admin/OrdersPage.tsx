import { useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { dayAndTime, dayAndTimeSeconds, money as formatMoney } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import { Slotted } from '../ui/Slotted.js';
import type { MessageKey } from '@i18n/catalogue.js';
import { session } from '../lib/session.js';
import { useDebounced, useLoad } from '../lib/use-load.js';
import {
  mailStatusWords,
  orderStatusWords,
  reasonWords,
  refundStatusWords,
  reservationStatusWords,
  scanResultWords,
  ticketStatusWords,
} from '../lib/words.js';
import type { OrderView } from '../buy/types.js';
import { AdminShell } from './AdminShell.js';
import type { AdminEvent } from './types.js';
import type * as contract from '../lib/contract.js';

type FoundOrder = contract.FoundOrder;

type Activity = contract.OrderActivity;

const MAIL_KINDS = ['order_paid', 'order_refunded', 'ticket_transferred', 'waitlist_offer', 'ticket_voided'];
const mailKindWords = (kind: string) =>
  MAIL_KINDS.includes(kind) ? t(`orders.mailKind.${kind}` as MessageKey) : kind.replace(/_/g, ' ');

/** `/admin/events/:id/orders`: find anyone's order, see what happened to it, refund it, export the lists. */
export function OrdersPage({ id }: { id: string }) {
  return (
    <AdminShell title={t('dash.orders')}>
      <Orders eventId={id} />
    </AdminShell>
  );
}

function Orders({ eventId }: { eventId: string }) {
  const token = session.value!.token;
  const [q, setQ] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [actionProblem, setProblem] = useState<string | null>(null);
  const query = useDebounced(q.trim(), 250); // searches as the owner types, a moment after they stop

  const eventLoad = useLoad(
    (signal) => api<AdminEvent>(`/api/v1/events/${eventId}`, { token, signal }),
    [eventId, token],
  );
  const search = useLoad(
    (signal) =>
      api<{ orders: FoundOrder[] }>(`/api/v1/events/${eventId}/orders?q=${encodeURIComponent(query)}`, {
        token,
        signal,
      }).then((r) => r.orders),
    [query, eventId, token],
  );
  const event = eventLoad.data;
  const orders = search.data;
  const problem = actionProblem ?? eventLoad.error ?? search.error;

  const download = async (name: 'attendees' | 'orders' | 'promoters') => {
    // A plain link cannot carry the login header: fetch it, then hand the file to the browser.
    const res = await fetch(`/api/v1/events/${eventId}/export/${name}.csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) return setProblem(t('orders.exportFailed', { status: res.status }));
    const url = URL.createObjectURL(await res.blob());
    const a = Object.assign(document.createElement('a'), {
      href: url,
      download: `${name}-${event?.name.replace(/[^\w-]+/g, '-') ?? eventId}.csv`,
    });
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <>
      <div class="row wrap">
        <h1>{event ? t('orders.titleOf', { event: event.name }) : t('dash.orders')}</h1>
        <span class="spacer" />
        <button class="btn small" type="button" onClick={() => void download('attendees')}>
          {t('orders.csv.attendees')}
        </button>
        <button class="btn small" type="button" onClick={() => void download('promoters')}>
          {t('orders.csv.promoters')}
        </button>
        <button class="btn small" type="button" onClick={() => void download('orders')}>
          {t('orders.csv.orders')}
        </button>
      </div>
      <a href={`/admin/events/${eventId}`}>{t('orders.back')}</a>
      <div class="field">
        <label for="order-search">{t('orders.search')}</label>
        <input
          id="order-search"
          class="input"
          type="search"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          placeholder={t('orders.searchExample')}
        />
      </div>
      {problem && <p class="form-error">{problem}</p>}
      <div class="orders-grid">
        <ul class="list found-orders" data-testid="found-orders">
          {orders?.length === 0 && <li class="muted">{t('orders.noMatch')}</li>}
          {orders?.map((o) => (
            <li key={o.order_id}>
              <button
                type="button"
                class={`order-row${selected === o.order_id ? ' selected' : ''}`}
                onClick={() => setSelected(o.order_id)}
              >
                <span class="who">
                  <strong>{o.name}</strong>
                  <span class="muted small">{o.email}</span>
                </span>
                <span class="small">
                  {t('orders.row', {
                    tickets: o.tickets,
                    table: o.table_number ?? 'none',
                    amount: formatMoney(o.amount_cents, o.currency),
                  })}
                </span>
                <span class={`pill ${o.status === 'paid' ? 'ok' : o.status === 'refunded' ? 'info' : ''}`}>
                  {orderStatusWords(o.status)}
                </span>
              </button>
            </li>
          ))}
        </ul>
        {selected ? (
          <OrderDetail key={selected} orderId={selected} token={token} onChanged={() => void search.reload()} />
        ) : (
          <section class="card stack order-detail placeholder" data-testid="order-detail-placeholder">
            <h2>{t('orders.choose')}</h2>
            <p class="muted">{t('orders.chooseWhat')}</p>
            <p class="muted small">{t('orders.exportsFor')}</p>
          </section>
        )}
      </div>
    </>
  );
}

function OrderDetail({ orderId, token, onChanged }: { orderId: string; token: string; onChanged: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [actionError, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const loaded = useLoad(
    async (signal) => {
      const [order, activity] = await Promise.all([
        api<OrderView>(`/api/v1/orders/${orderId}`, { token, signal }),
        api<Activity>(`/api/v1/orders/${orderId}/activity`, { token, signal }),
      ]);
      return { order, activity };
    },
    [orderId, token],
  );
  const load = loaded.reload;
  const order = loaded.data?.order ?? null;
  const activity = loaded.data?.activity ?? null;
  const error = actionError ?? loaded.error;

  if (!order)
    return (
      <section class="card">
        {error ? <p class="form-error">{error}</p> : <p class="muted">{t('common.loading')}</p>}
      </section>
    );
  const refundable = order.amount_cents - order.refunded_cents;
  const money = (c: number) => formatMoney(c, order.currency);

  const refund = async () => {
    setError(null);
    try {
      const r = await api<{ amount_cents: number; tickets_voided: number; table_released: boolean }>(
        `/api/v1/orders/${orderId}/refund`,
        {
          body: { amount_cents: refundable },
          token,
        },
      );
      setNotice(
        t('orders.refunding', {
          amount: money(r.amount_cents),
          count: r.tickets_voided,
          table: r.table_released ? 'yes' : 'no',
        }),
      );
      setConfirming(false);
      await load();
      onChanged();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section class="card stack order-detail" data-testid="order-detail">
      <h2>{t('orders.order', { id: order.order_id.slice(0, 8) })}</h2>
      <p>
        <span class={`pill ${order.status === 'paid' ? 'ok' : 'info'}`}>{orderStatusWords(order.status)}</span>{' '}
        {money(order.amount_cents)}
        {order.refunded_cents > 0 && ` · ${t('orders.refunded', { amount: money(order.refunded_cents) })}`}
        {order.refund &&
          order.refund.status !== 'succeeded' &&
          ` · ${t('orders.refundState', { state: refundStatusWords(order.refund.status) })}`}
      </p>
      {order.reservation && (
        <p>
          {t('orders.reservation', {
            table: order.reservation.table_number,
            tier: order.reservation.tier,
            status: reservationStatusWords(order.reservation.status),
            guests: order.reservation.guests.length,
          })}
        </p>
      )}
      <h3>{t('buy.title')}</h3>
      <ul class="list">
        {order.tickets.map((ticket) => {
          const scans = activity?.scans.filter((s) => s.ticket_id === ticket.id) ?? [];
          const sent = activity?.transfers.filter((x) => x.ticket_id === ticket.id) ?? [];
          return (
            <li key={ticket.id}>
              <strong>{ticket.holder_name}</strong> <span class="muted small">{ticket.id.slice(0, 8)}</span> ·{' '}
              {ticketStatusWords(ticket.status)}
              {ticket.is_host
                ? ` · ${t('orders.host')}`
                : ticket.linked_reservation_id
                  ? ` · ${t('orders.guest')}`
                  : ''}
              {sent.length > 0 && (
                <ul class="scans small muted" data-testid="transfers">
                  {sent.map((x, i) => (
                    <li key={i}>
                      {dayAndTime(x.transferred_at)} ·{' '}
                      {t('orders.sent', { from: x.from_name, to: x.to_name, email: x.to_email })}
                      {x.table_link === 'kept' || x.table_link === 'dropped'
                        ? ` · ${t('orders.tablePlace', { link: x.table_link })}`
                        : ''}
                    </li>
                  ))}
                </ul>
              )}
              {scans.length > 0 && (
                <ul class="scans small muted">
                  {scans.map((s, i) => (
                    <li key={i}>
                      {dayAndTimeSeconds(s.scanned_at)} · {s.scanner_id} · {scanResultWords(s.result)}
                      {s.reason ? ` (${reasonWords(s.reason)})` : ''}
                      {s.offline ? ` · ${t('orders.offline')}` : ''}
                      {s.method === 'manual' ? ` · ${t('orders.byName')}` : ''}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
      {activity && activity.mails.length > 0 && (
        <>
          <h3>{t('orders.mails')}</h3>
          <ul class="list small">
            {activity.mails.map((m, i) => (
              <li key={i}>
                {mailKindWords(m.kind)} · {mailStatusWords(m.status)}
                {m.sent_at ? ` ${dayAndTime(m.sent_at)}` : ''}
                {m.last_error ? ` · ${m.last_error}` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      {notice && (
        <p class="banner info" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {order.status === 'paid' && !order.refund && refundable >= 0 && (
        <div class="stack">
          {!confirming ? (
            <button class="btn danger" type="button" onClick={() => setConfirming(true)}>
              {t('orders.refundThis')}
            </button>
          ) : (
            <div class="banner bad stack" data-testid="refund-confirm">
              <p>
                <Slotted
                  message="orders.refundQuestion"
                  slot="amount"
                  values={{
                    to: order.tickets[0]?.holder_name ?? t('orders.theBuyer'),
                    table: order.reservation ? 'yes' : 'no',
                  }}
                >
                  <strong>{money(refundable)}</strong>
                </Slotted>
              </p>
              <div class="row">
                <button class="btn danger" type="button" onClick={() => void refund()}>
                  {t('orders.refundAmount', { amount: money(refundable) })}
                </button>
                <button class="btn ghost" type="button" onClick={() => setConfirming(false)}>
                  {t('transfer.keep')}
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
