import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorText, NetworkError } from '../lib/api.js';
import { openAvailabilityStream } from '../lib/floor-stream.js';
import { clockTime, dayAndTime, money } from '../lib/format.js';
import { fallBackToEventLocale, t } from '../lib/i18n.js';
import { forgetInvite, saveOrder, savedOrder, tokenFromHash } from '../lib/my-orders.js';
import { Topbar } from '../ui/Topbar.js';
import { Checkout } from './Checkout.js';
import { Venue } from './EventHeader.js';
import { InstallHint, useBuyerManifest } from './InstallHint.js';
import { HostPanel } from './HostPanel.js';
import { TicketCard } from './TicketCard.js';
import type { OrderTicket, OrderView, PublicEvent } from './types.js';
import './buy.css';

const STATUS_TONE: Record<OrderView['status'], string> = {
  pending: 'warn',
  paid: 'ok',
  expired: 'bad',
  refunded: 'info',
};

/**
 * `/orders/:id#token=…`: the buyer's order, opened from the mail or straight after checkout. The
 * token lives in the fragment (browsers never send it to a server) and on this device.
 */
export function OrderPage({ id }: { id: string }) {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [order, setOrder] = useState<OrderView | null>(null);
  const [event, setEvent] = useState<PublicEvent | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [linkNote, setLinkNote] = useState<{ ok: boolean; text: string } | null>(null);
  /** No connection: the order shown is this device's copy, saved at this time. */
  const [offlineSince, setOfflineSince] = useState<string | null>(null);
  useBuyerManifest();

  useEffect(() => {
    const fromHash = tokenFromHash(location.hash);
    void savedOrder(id).then((saved) => {
      // The copy on this device shows at once (and is all there is with no signal); the server's
      // answer replaces it when it comes.
      if (saved?.view && saved.event && (!fromHash || fromHash === saved.token)) {
        setOrder((current) => current ?? saved.view!);
        setEvent((current) => current ?? saved.event!);
      }
      setToken(fromHash ?? saved?.token ?? null);
    });
  }, [id]);

  const load = useCallback(async () => {
    if (!token) return;
    try {
      const o = await api<OrderView>(`/api/v1/orders/${encodeURIComponent(id)}`, { token });
      setOrder(o);
      setProblem(null);
      setOfflineSince(null);
      const e = await api<PublicEvent>(`/api/v1/events/${o.event_id}`);
      fallBackToEventLocale(e.locale);
      setEvent(e);
      await saveOrder({
        orderId: o.order_id,
        token,
        eventId: o.event_id,
        eventName: e.name,
        startsAt: e.starts_at,
        savedAt: new Date().toISOString(),
        view: o,
        event: e,
      });
      // Kept on this device now: the token leaves the address bar and the browser's history
      // (a shared screen, a screenshot, a synced history must not carry it).
      if (tokenFromHash(location.hash)) history.replaceState(history.state, '', location.pathname + location.search);
    } catch (err) {
      if (err instanceof NetworkError) {
        const saved = await savedOrder(id);
        if (saved?.view) {
          setOfflineSince(saved.savedAt);
          return;
        }
      }
      setProblem(
        err instanceof ApiError && (err.status === 404 || err.status === 401) ? t('order.invalidLink') : errorText(err),
      );
    }
  }, [id, token]);

  useEffect(() => void load(), [load]);

  // While money is on its way (a payment confirming, a refund being paid), look again every few seconds.
  const settling = order?.status === 'pending' || (order?.refund && order.refund.status === 'pending');
  useEffect(() => {
    if (!settling) return;
    const t = setInterval(() => void load(), 4000);
    return () => clearInterval(t);
  }, [settling, load]);

  // A host's guest list follows the door live: the table's change on the public availability
  // stream (a guest's first entry is one) or a push this phone received reloads the order.
  const tableId =
    order?.reservation && event
      ? event.tables.find((t) => t.number === order.reservation!.table_number)?.id
      : undefined;
  const watching =
    !!tableId &&
    order?.status === 'paid' &&
    !!event &&
    event.status === 'scheduled' &&
    Date.parse(event.ends_at) > Date.now();
  const eventId = event?.id;
  useEffect(() => {
    if (!watching || !eventId || !tableId) return;
    let connected = false;
    const close = openAvailabilityStream(eventId, {
      // The first snapshot comes right after the order was read; a later one is a reconnection.
      onSnapshot: () => {
        if (connected) void load();
        connected = true;
      },
      onTable: (t) => t.id === tableId && void load(),
      onStatus: () => {},
      onUnauthorized: () => {},
    });
    const onPush = (e: MessageEvent<{ type?: string }>) => e.data?.type === 'velvet-push' && void load();
    navigator.serviceWorker?.addEventListener('message', onPush);
    return () => {
      close();
      navigator.serviceWorker?.removeEventListener('message', onPush);
    };
  }, [watching, tableId, eventId, load]);

  // Came from an invite without a ticket: once paid, the ticket is linked to that table (once:
  // the order is read again while the link is being made).
  const linking = useRef(false);
  useEffect(() => {
    if (!order || order.status !== 'paid' || !token || linking.current) return;
    linking.current = true;
    void savedOrder(order.order_id).then(async (saved) => {
      if (!saved?.invite) return;
      const ticket = order.tickets.find((t) => !t.is_host && !t.linked_reservation_id && t.status === 'valid');
      await forgetInvite(order.order_id);
      if (!ticket) return;
      try {
        const r = await api<{ table_number: number }>(`/api/v1/tickets/${ticket.id}/link`, {
          body: { invite_code: saved.invite },
          token,
        });
        setLinkNote({ ok: true, text: t('order.linked', { table: r.table_number }) });
        void load();
      } catch (err) {
        setLinkNote({ ok: false, text: t('order.linkFailed', { error: errorText(err) }) });
      }
    });
  }, [order, token, load]);

  if (token === null) {
    return (
      <Shell>
        <p class="form-error">{t('order.noKey')}</p>
      </Shell>
    );
  }
  if (problem && !order) {
    return (
      <Shell>
        <p class="form-error" role="alert">
          {problem}
        </p>
        <p>
          <a class="btn ghost" href="/">
            {t('notFound.home')}
          </a>
        </p>
      </Shell>
    );
  }
  if (!order || !token)
    return (
      <Shell>
        <p class="muted">{t('order.loading')}</p>
      </Shell>
    );

  const started = event ? Date.parse(event.starts_at) <= Date.now() : false;
  const over = event ? event.status !== 'scheduled' || Date.parse(event.ends_at) <= Date.now() : false;
  const tone = STATUS_TONE[order.status];
  const tickets = inOrder(order.tickets);
  const roleOf = (ticket: OrderTicket) =>
    ticket.is_host
      ? t('order.role.host', { table: order.reservation?.table_number })
      : ticket.linked_reservation_id
        ? ticket.linked_reservation_id === order.reservation?.id
          ? t('order.role.guestOwn', { table: order.reservation.table_number })
          : t('order.role.guest')
        : t('order.role.ga');

  return (
    <Shell eventName={event?.name}>
      <section class="stack">
        <h1>{event?.name ?? t('order.title')}</h1>
        {event && <p class="lead">{dayAndTime(event.starts_at, event.time_zone)}</p>}
        {event && <Venue event={event} />}
        <div class="row">
          <span class={`pill ${tone}`} data-testid="order-status">
            {t(`order.status.${order.status}`)}
          </span>
          <span class="muted">{money(order.amount_cents, order.currency)}</span>
          <span class="spacer" />
          {order.status === 'paid' && (
            <button class="btn ghost small no-print" type="button" onClick={() => print()}>
              {t('order.print')}
            </button>
          )}
        </div>
        {event?.status === 'cancelled' && <p class="banner bad">{t('order.cancelled')}</p>}
        {order.refund && (
          <p class="banner info" data-testid="refund">
            {t('order.refundWhy', { reason: order.refund.reason })}{' '}
            {t('order.refundStatus', {
              status: order.refund.status,
              amount: money(order.refund.amount_cents, order.currency),
            })}
          </p>
        )}
        {linkNote && <p class={`banner ${linkNote.ok ? 'info' : 'bad'}`}>{linkNote.text}</p>}
        {offlineSince && (
          <p class="banner info" role="status" data-testid="offline-copy">
            {t('order.offline', { time: clockTime(offlineSince) })}
          </p>
        )}
        {problem && <p class="form-error">{problem}</p>}
      </section>

      {order.status === 'pending' && <Checkout order={order} token={token} onPaid={setOrder} />}

      {order.reservation && order.status === 'paid' && (
        <HostPanel
          reservation={order.reservation}
          event={event}
          token={token}
          started={started}
          over={over}
          onChanged={() => void load()}
        />
      )}

      {order.status !== 'expired' && (
        <section class="stack" aria-labelledby="tickets-title">
          <h2 id="tickets-title">{t('order.tickets', { count: tickets.length })}</h2>
          {order.status === 'paid' && <p class="muted small no-print">{t('order.eachCode')}</p>}
          {order.status === 'paid' && !over && <InstallHint />}
          <div class="tickets">
            {tickets.map((t, i) => (
              <TicketCard
                key={t.id}
                ticket={t}
                index={i}
                role={roleOf(t)}
                token={token}
                editable={!started && !over && !offlineSince}
                transfer={t.is_host ? null : { tableNote: tableNoteOf(t, order) }}
                onChanged={() => void load()}
              />
            ))}
          </div>
        </section>
      )}

      {order.status === 'paid' && !over && (
        <section class="card stack no-print">
          <h2>{t('order.plans')}</h2>
          <p class="muted">{t('order.final', { host: order.reservation ? 'yes' : 'no' })}</p>
        </section>
      )}
    </Shell>
  );
}

/** What a transfer does to a ticket's place at a table, said before it happens (null: it has none). */
function tableNoteOf(ticket: OrderTicket, order: OrderView): string | null {
  if (!ticket.linked_reservation_id) return null;
  // The buyer's own table: they decide for their own guests.
  const own = order.reservation?.id === ticket.linked_reservation_id ? order.reservation : null;
  if (own?.guests_may_transfer) return t('order.transferNote.goes', { table: own.table_number });
  return own ? t('order.transferNote.stays', { table: own.table_number }) : t('order.transferNote.hostDecides');
}

/**
 * A stable order: the host's VIP code first, then the buyer's own ticket (the first one bought,
 * unless renamed), then everyone else by name; ties by id, so a rename never reshuffles the rest.
 */
function inOrder(tickets: OrderTicket[]): OrderTicket[] {
  const first = tickets[0]?.id;
  const rank = (t: OrderTicket) => (t.is_host ? 0 : t.id === first ? 1 : 2);
  return [...tickets].sort(
    (a, b) => rank(a) - rank(b) || a.holder_name.localeCompare(b.holder_name) || a.id.localeCompare(b.id),
  );
}

function Shell({ children, eventName }: { children: preact.ComponentChildren; eventName?: string | undefined }) {
  return (
    <>
      <Topbar
        title={t('order.title')}
        tabTitle={eventName ? t('order.tabTitle', { event: eventName }) : t('order.title')}
        account={false}
        language
      />
      <main class="page buy narrow stack">{children}</main>
    </>
  );
}
