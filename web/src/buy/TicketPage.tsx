import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText, NetworkError } from '../lib/api.js';
import { clockTime, dayAndTime } from '../lib/format.js';
import { tokenFromHash } from '../lib/my-orders.js';
import { Topbar } from '../ui/Topbar.js';
import { Venue } from './EventHeader.js';
import { TicketCard } from './TicketCard.js';
import type { HeldTicket, PublicEvent } from './types.js';
import './buy.css';

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
      const t = await api<HeldTicket>(`/api/v1/tickets/${encodeURIComponent(id)}`, { token });
      const e = await api<PublicEvent>(`/api/v1/events/${t.event_id}`);
      setTicket(t);
      setEvent(e);
      setProblem(null);
      setOfflineSince(null);
      localStorage.setItem(
        storageKey(id),
        JSON.stringify({ token, ticket: t, event: e, savedAt: new Date().toISOString() } satisfies SavedTicket),
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
        setProblem(
          'This link no longer opens a ticket: it was sent on to someone else, or the link is incomplete. Open the link from your e-mail again.',
        );
        return;
      }
      setProblem(errorText(err));
    }
  }, [id, token]);

  useEffect(() => void load(), [load]);

  if (token === null) {
    return (
      <Shell>
        <p class="form-error">This link is missing its key. Open the link from your e-mail again.</p>
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
          <p class="muted">Loading your ticket…</p>
        )}
      </Shell>
    );
  }

  const started = event ? Date.parse(event.starts_at) <= Date.now() : false;
  const over = event ? event.status !== 'scheduled' || Date.parse(event.ends_at) <= Date.now() : false;
  const table = ticket.table;
  const role =
    ticket.is_host && table
      ? `VIP code · table ${table.table_number}`
      : table
        ? `Guest · table ${table.table_number} (${table.tier})`
        : 'GA';
  const tableNote =
    table && !ticket.is_host
      ? `Your place at table ${table.table_number} goes with the ticket only if the host allows it; otherwise their ticket is plain GA.`
      : null;

  return (
    <Shell eventName={event?.name}>
      <section class="stack">
        <h1>{event?.name ?? 'Your ticket'}</h1>
        {event && <p class="lead">{dayAndTime(event.starts_at)}</p>}
        {event && <Venue event={event} />}
        {event?.status === 'cancelled' && <p class="banner bad">This event was cancelled.</p>}
        {table && !ticket.is_host && (
          <p class="banner info" data-testid="table-place">
            You are a guest at table {table.table_number} ({table.tier}), {table.host_name}'s table.
          </p>
        )}
        {offlineSince && (
          <p class="banner info" role="status" data-testid="offline-copy">
            No connection: this is your ticket as saved on this phone at {clockTime(offlineSince)}. It scans at the door
            all the same.
          </p>
        )}
        {problem && <p class="form-error">{problem}</p>}
      </section>
      <section class="stack" aria-labelledby="ticket-title">
        <h2 id="ticket-title">Your ticket</h2>
        {ticket.qr && (
          <p class="muted small no-print">This code lets you in. Turn your screen brightness up at the door.</p>
        )}
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
      <Topbar title="Your ticket" tabTitle={eventName ? `Your ticket · ${eventName}` : 'Your ticket'} account={false} />
      <main class="page buy narrow stack">{children}</main>
    </>
  );
}
