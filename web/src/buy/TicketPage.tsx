import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText, NetworkError } from '../lib/api.js';
import { clockTime, dayAndTime } from '../lib/format.js';
import { tokenFromHash } from '../lib/my-orders.js';
import { Topbar } from '../ui/Topbar.js';
import { Venue } from './EventHeader.js';
import { TicketCard } from './TicketCard.js';
import type { HeldTicket, PublicEvent } from './types.js';
import './buy.css';
import { fallBackToEventLocale, t } from '../lib/i18n.js';

/** This device's copy of a ticket sent to its holder: the link's key and the last answer, for the door with no signal. */
interface SavedTicket {
  token: string;
  ticket?: HeldTicket;
  event?: PublicEvent;
  savedAt?: string;
}

const storageKey = (id: string) => `velvet-ticket:${id}`;

function saved(id: string): SavedTicket | null {
  try {
    return JSON.parse(localStorage.getItem(storageKey(id)) ?? 'null') as SavedTicket | null;
  } catch {
    return null;
  }
}

/**
 * `/tickets/:id#token=…`: a ticket someone sent to this person. Their own link opens this one
 * ticket (not the order it came from); the key moves from the address bar to this device, and the
 * last copy shows with no connection, as the order page does.
 */
export function TicketPage({ id }: { id: string }) {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [ticket, setTicket] = useState<HeldTicket | null>(null);
  const [event, setEvent] = useState<PublicEvent | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [offlineSince, setOfflineSince] = useState<string | null>(null);

  useEffect(() => {
    const fromHash = tokenFromHash(location.hash);
    const copy = saved(id);
    if (copy?.ticket && copy.event && (!fromHash || fromHash === copy.token)) {
      setTicket(copy.ticket);
      setEvent(copy.event);
    }
    setToken(fromHash ?? copy?.token ?? null);
  }, [id]);

  const load = useCallback(async () => {
    if (!token) return;
    try {
      const held = await api<HeldTicket>(`/api/v1/tickets/${encodeURIComponent(id)}`, { token });
      const e = await api<PublicEvent>(`/api/v1/events/${held.event_id}`);
      fallBackToEventLocale(e.locale);
      setTicket(held);
      setEvent(e);
      setProblem(null);
      setOfflineSince(null);
      localStorage.setItem(
        storageKey(id),
        JSON.stringify({ token, ticket: held, event: e, savedAt: new Date().toISOString() } satisfies SavedTicket),
      );
      if (tokenFromHash(location.hash)) history.replaceState(history.state, '', location.pathname + location.search);
    } catch (err) {
      if (err instanceof NetworkError && saved(id)?.ticket) {
        setOfflineSince(saved(id)!.savedAt ?? null);
        return;
      }
      if (err instanceof ApiError && (err.status === 401 || err.status === 404)) {
        // Sent on to someone else since (their link replaced this one), or a link cut short.
        localStorage.removeItem(storageKey(id));
        setTicket(null);
        setProblem(t('heldTicket.gone'));
        return;
      }
      setProblem(errorText(err));
    }
  }, [id, token]);

  useEffect(() => void load(), [load]);

  if (token === null) {
    return (
      <Shell>
        <p class="form-error">{t('order.noKey')}</p>
      </Shell>
    );
  }
  if (!ticket) {
    return (
      <Shell>
        {problem ? (
          <p class="form-error" role="alert">
            {problem}
          </p>
        ) : (
          <p class="muted">{t('heldTicket.loading')}</p>
        )}
      </Shell>
    );
  }

  const started = event ? Date.parse(event.starts_at) <= Date.now() : false;
  const over = event ? event.status !== 'scheduled' || Date.parse(event.ends_at) <= Date.now() : false;
  const table = ticket.table;
  const role =
    ticket.is_host && table
      ? t('heldTicket.role.host', { table: table.table_number })
      : table
        ? t('heldTicket.role.guest', { table: table.table_number, tier: table.tier })
        : t('order.role.ga');
  const tableNote = table && !ticket.is_host ? t('heldTicket.tableNote', { table: table.table_number }) : null;

  return (
    <Shell eventName={event?.name}>
      <section class="stack">
        <h1>{event?.name ?? t('heldTicket.title')}</h1>
        {event && <p class="lead">{dayAndTime(event.starts_at, event.time_zone)}</p>}
        {event && <Venue event={event} />}
        {event?.status === 'cancelled' && <p class="banner bad">{t('error.event_cancelled')}</p>}
        {table && !ticket.is_host && (
          <p class="banner info" data-testid="table-place">
            {t('heldTicket.guestAt', { table: table.table_number, tier: table.tier, host: table.host_name })}
          </p>
        )}
        {offlineSince && (
          <p class="banner info" role="status" data-testid="offline-copy">
            {t('heldTicket.offline', { time: clockTime(offlineSince) })}
          </p>
        )}
        {problem && <p class="form-error">{problem}</p>}
      </section>
      <section class="stack" aria-labelledby="ticket-title">
        <h2 id="ticket-title">{t('heldTicket.title')}</h2>
        {ticket.qr && <p class="muted small no-print">{t('heldTicket.lets')}</p>}
        <div class="tickets">
          <TicketCard
            ticket={ticket}
            index={0}
            role={role}
            token={token!}
            editable={!started && !over && !offlineSince}
            transfer={ticket.is_host ? null : { tableNote }}
            onChanged={() => void load()}
          />
        </div>
      </section>
    </Shell>
  );
}

function Shell({ children, eventName }: { children: preact.ComponentChildren; eventName?: string | undefined }) {
  return (
    <>
      <Topbar
        title={t('heldTicket.title')}
        tabTitle={eventName ? t('heldTicket.tabTitle', { event: eventName }) : t('heldTicket.title')}
        account={false}
        language
      />
      <main class="page buy narrow stack">{children}</main>
    </>
  );
}
