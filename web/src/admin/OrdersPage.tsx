import { formatMoney } from '@domain/money.js';
import { useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { dayAndTime, dayAndTimeSeconds } from '../lib/format.js';
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

const MAIL_WORDS: Record<string, string> = {
  order_paid: 'Tickets',
  order_refunded: 'Refunded',
  ticket_transferred: 'A ticket sent on',
  waitlist_offer: 'Waitlist offer',
  ticket_voided: 'A sent ticket voided',
};

/** `/admin/events/:id/orders`: find anyone's order, see what happened to it, refund it, export the lists. */
export function OrdersPage({ id }: { id: string }) {
  return (
    <AdminShell title="Orders">
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
    if (!res.ok) return setProblem(`The export failed (${res.status})`);
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
        <h1>Orders{event ? ` · ${event.name}` : ''}</h1>
        <span class="spacer" />
        <button class="btn small" type="button" onClick={() => void download('attendees')}>
          Attendees CSV
        </button>
        <button class="btn small" type="button" onClick={() => void download('promoters')}>
          Promoters CSV
        </button>
        <button class="btn small" type="button" onClick={() => void download('orders')}>
          Orders CSV
        </button>
      </div>
      <a href={`/admin/events/${eventId}`}>← Back to the event</a>
      <div class="field">
        <label for="order-search">Search by name, e-mail, order or ticket code, invite code or table number</label>
        <input
          id="order-search"
          class="input"
          type="search"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          placeholder="e.g. Alice, 4f2a, 12"
        />
      </div>
      {problem && <p class="form-error">{problem}</p>}
      <div class="orders-grid">
        <ul class="list found-orders" data-testid="found-orders">
          {orders?.length === 0 && <li class="muted">No order matches.</li>}
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
                  {o.tickets} {o.tickets === 1 ? 'ticket' : 'tickets'}
                  {o.table_number ? ` · table ${o.table_number}` : ''} · {formatMoney(o.amount_cents, o.currency)}
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
            <h2>Choose an order</h2>
            <p class="muted">
              Its tickets, every scan at the door and the mails it was sent show here, with the refund button.
            </p>
            <p class="muted small">Use the exports above for the door's paper list or the books.</p>
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
    return <section class="card">{error ? <p class="form-error">{error}</p> : <p class="muted">Loading…</p>}</section>;
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
        `Refunding ${money(r.amount_cents)}: ${r.tickets_voided} ${r.tickets_voided === 1 ? 'ticket' : 'tickets'} no longer admit anyone${r.table_released ? ', the table is free again' : ''}. The buyer is mailed when the money is on its way.`,
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
      <h2>Order {order.order_id.slice(0, 8)}</h2>
      <p>
        <span class={`pill ${order.status === 'paid' ? 'ok' : 'info'}`}>{orderStatusWords(order.status)}</span>{' '}
        {money(order.amount_cents)}
        {order.refunded_cents > 0 && ` · ${money(order.refunded_cents)} refunded`}
        {order.refund && order.refund.status !== 'succeeded' && ` · refund ${refundStatusWords(order.refund.status)}`}
      </p>
      {order.reservation && (
        <p>
          Table {order.reservation.table_number} ({order.reservation.tier}) ·{' '}
          {reservationStatusWords(order.reservation.status)} · {order.reservation.guests.length}{' '}
          {order.reservation.guests.length === 1 ? 'guest' : 'guests'}
        </p>
      )}
      <h3>Tickets</h3>
      <ul class="list">
        {order.tickets.map((t) => {
          const scans = activity?.scans.filter((s) => s.ticket_id === t.id) ?? [];
          const sent = activity?.transfers.filter((x) => x.ticket_id === t.id) ?? [];
          return (
            <li key={t.id}>
              <strong>{t.holder_name}</strong> <span class="muted small">{t.id.slice(0, 8)}</span> ·{' '}
              {ticketStatusWords(t.status)}
              {t.is_host ? ' · host' : t.linked_reservation_id ? ' · guest' : ''}
              {sent.length > 0 && (
                <ul class="scans small muted" data-testid="transfers">
                  {sent.map((x, i) => (
                    <li key={i}>
                      {dayAndTime(x.transferred_at)} · sent by {x.from_name} to {x.to_name} ({x.to_email})
                      {x.table_link === 'kept'
                        ? ' · table place went along'
                        : x.table_link === 'dropped'
                          ? ' · table place stayed behind'
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
                      {s.offline ? ' · offline' : ''}
                      {s.method === 'manual' ? ' · by name' : ''}
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
          <h3>Mails</h3>
          <ul class="list small">
            {activity.mails.map((m, i) => (
              <li key={i}>
                {MAIL_WORDS[m.kind] ?? m.kind} · {mailStatusWords(m.status)}
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
              Refund this order…
            </button>
          ) : (
            <div class="banner bad stack" data-testid="refund-confirm">
              <p>
                Refund <strong>{money(refundable)}</strong> to {order.tickets[0]?.holder_name ?? 'the buyer'}? Tickets
                not yet used stop admitting anyone
                {order.reservation ? ' and the table is released' : ''}. This cannot be undone.
              </p>
              <div class="row">
                <button class="btn danger" type="button" onClick={() => void refund()}>
                  Refund {money(refundable)}
                </button>
                <button class="btn ghost" type="button" onClick={() => setConfirming(false)}>
                  Keep it
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
