import { formatMoney } from '@domain/money.js';
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { openDoorFiguresStream, openFloorStream, type DoorFigures } from '../lib/floor-stream.js';
import { dayAndTime } from '../lib/format.js';
import { logOut, session } from '../lib/session.js';
import { useLoad } from '../lib/use-load.js';
import { reservationStatusWords } from '../lib/words.js';
import { FloorLegend, FloorPlan, type FloorTable } from '../ui/FloorPlan.js';
import { AdminShell } from './AdminShell.js';
import { AdmittedChart } from './AdmittedChart.js';
import { WaitlistPanel } from './WaitlistPanel.js';
import { phaseOf, type AdminEvent } from './types.js';
import type * as contract from '../lib/contract.js';

export type Summary = contract.EventSummary;

type PromoterFigures = contract.EventPromoters['promoters'][number];

type ReservationView = contract.ReservationView;

/** `/admin/events/:id`: one night for the owner: sales, the live room, the door, the tables' guests, and the big buttons. */
export function EventDashboardPage({ id }: { id: string }) {
  return (
    <AdminShell title="Event">
      <EventDashboard id={id} />
    </AdminShell>
  );
}

function EventDashboard({ id }: { id: string }) {
  const token = session.value!.token;
  /** The door's figures as last pushed (the summary's are as of its last read). */
  const [door, setDoor] = useState<DoorFigures | null>(null);
  const [tables, setTables] = useState<FloorTable[]>([]);
  const [reservations, setReservations] = useState<ReservationView[]>([]);
  const [ending, setEnding] = useState(false);
  const [confirmingEnd, setConfirmingEnd] = useState(false);
  const [endError, setEndError] = useState<string | null>(null);

  const numbers = useLoad(
    async (signal) => {
      const [event, summary, promoters] = await Promise.all([
        api<AdminEvent>(`/api/v1/events/${id}`, { token, signal }),
        api<Summary>(`/api/v1/events/${id}/summary`, { token, signal }),
        api<{ promoters: PromoterFigures[] }>(`/api/v1/events/${id}/promoters`, { token, signal }),
      ]);
      return { event, summary, promoters: promoters.promoters };
    },
    [id, token],
  );
  const loadNumbers = numbers.reload;
  const event = numbers.data?.event ?? null;
  const summary = numbers.data?.summary ?? null;
  const promoters = numbers.data?.promoters ?? [];
  const problem = numbers.error;

  useEffect(() => {
    // Sales are read again every 15 s; the door's figures and the room are pushed live.
    const t = setInterval(() => void loadNumbers(), 15_000);
    const closeDoor = openDoorFiguresStream(id, token, {
      onSnapshot: setDoor,
      onStatus: () => {},
      onUnauthorized: () => void logOut(),
    });
    const close = openFloorStream(id, token, {
      onSnapshot: (plan) => setTables(plan.tables),
      onTable: (t) => setTables((all) => all.map((x) => (x.id === t.id ? t : x))),
      onEventStatus: () => void loadNumbers(),
      onStatus: () => {},
      onUnauthorized: () => void logOut(),
    });
    return () => (clearInterval(t), close(), closeDoor());
  }, [id, token, loadNumbers]);

  // The guest lists of the tables that have a party, refreshed as the room changes.
  const partyKey = tables
    .filter((t) => t.reservation_id)
    .map((t) => `${t.reservation_id}:${t.guests_linked}:${t.guests_arrived}:${t.host_arrived}`)
    .join('|');
  useEffect(() => {
    const ids = partyKey ? partyKey.split('|').map((party) => party.split(':')[0]!) : [];
    const controller = new AbortController();
    void Promise.all(
      ids.map((r) =>
        api<ReservationView>(`/api/v1/reservations/${r}`, { token, signal: controller.signal }).catch(() => null),
      ),
    ).then((list) => {
      if (controller.signal.aborted) return;
      setReservations(
        list.filter((r): r is ReservationView => r !== null).sort((a, b) => a.table_number - b.table_number),
      );
    });
    return () => controller.abort();
  }, [partyKey, token]);

  if (problem && !event) return <p class="form-error">{problem}</p>;
  if (!event) return <p class="muted">Loading…</p>;
  const phase = phaseOf(event);
  const started = Date.parse(event.starts_at) <= Date.now();
  const money = (c: number) => formatMoney(c, event.currency);
  const s = summary?.sales;
  const figures = door ?? summary?.door ?? null;

  const endNow = async () => {
    setEnding(true);
    setEndError(null);
    try {
      await api(`/api/v1/events/${id}/end`, { method: 'POST', token });
      await loadNumbers();
      setConfirmingEnd(false);
    } catch (err) {
      setEndError(errorText(err));
    } finally {
      setEnding(false);
    }
  };

  return (
    <>
      <div class="row wrap">
        <div class="stack tight">
          <h1>{event.name}</h1>
          <span class="muted">
            {dayAndTime(event.starts_at)} – {dayAndTime(event.ends_at)}
          </span>
        </div>
        <span class="spacer" />
        <span class={`pill ${phase === 'cancelled' ? 'bad' : phase === 'past' ? '' : 'ok'}`} data-testid="event-status">
          {phase === 'cancelled'
            ? 'Cancelled'
            : phase === 'past'
              ? 'Over'
              : phase === 'tonight'
                ? started
                  ? 'On now'
                  : 'Tonight'
                : 'Upcoming'}
        </span>
      </div>
      <div class="row wrap actions">
        <a class="btn" href={`/e/${event.id}`}>
          Public page
        </a>
        <a class="btn" href={`/events/${event.id}/floor`}>
          Live floor plan
        </a>
        <a class="btn" href={`/admin/events/${event.id}/orders`}>
          Orders
        </a>
        {event.status === 'scheduled' && phase !== 'past' && (
          <a class="btn" href={`/admin/events/${event.id}/edit`}>
            Edit
          </a>
        )}
        <span class="spacer" />
        {event.status === 'scheduled' && started && (
          <button
            class="btn"
            type="button"
            onClick={() => setConfirmingEnd(true)}
            disabled={ending || confirmingEnd}
            aria-expanded={confirmingEnd}
            aria-controls="end-confirm"
          >
            End event now
          </button>
        )}
        {event.status === 'scheduled' && !started && (
          <a class="btn danger" href={`/admin/events/${event.id}/cancel`}>
            Cancel event
          </a>
        )}
        {event.status === 'cancelled' && (
          <a class="btn" href={`/admin/events/${event.id}/cancel`}>
            Refunds
          </a>
        )}
      </div>
      {event.status === 'scheduled' && started && (
        <p class="faint small">
          The event has started: it can no longer be cancelled (mid-event cancellation is not supported).
        </p>
      )}
      {confirmingEnd && (
        <section
          class="card stack confirm"
          id="end-confirm"
          aria-labelledby="end-confirm-title"
          data-testid="end-confirm"
        >
          <h2 id="end-confirm-title">End {event.name} now?</h2>
          <p>
            Every table's reservation completes, hosts who never came are marked no-show, and the door stops admitting.
            This cannot be undone.
          </p>
          <div class="row">
            <button class="btn danger" type="button" onClick={() => void endNow()} disabled={ending}>
              {ending ? 'Ending…' : 'End the night'}
            </button>
            <button class="btn ghost" type="button" onClick={() => setConfirmingEnd(false)} disabled={ending}>
              Keep it open
            </button>
          </div>
          {endError && (
            <p class="form-error" role="alert">
              {endError}
            </p>
          )}
        </section>
      )}

      {s && (
        <section class="stats" aria-label="Sales">
          <Stat label="GA sold" value={`${s.ga_sold} / ${s.ga_capacity}`} />
          <Stat label="Tables sold" value={`${s.tables_sold} / ${s.tables_total}`} />
          <Stat label="Revenue" value={money(s.revenue_cents)} />
          <Stat label="Refunded" value={money(s.refunded_cents)} />
          <Stat label="Admitted" value={String(figures?.admitted ?? 0)} />
        </section>
      )}

      <div class="dash-grid">
        <section class="card stack">
          <h2>The room</h2>
          <FloorPlan tables={tables} title={`Floor plan of ${event.name}`} />
          <FloorLegend />
        </section>
        <section class="card stack">
          <h2>The door</h2>
          {figures && figures.admitted > 0 ? (
            <>
              <p class="door-total" data-testid="door-admitted">
                <strong>{figures.admitted}</strong> in, each counted once at the door they first came through
              </p>
              <AdmittedChart
                buckets={figures.over_time}
                from={event.starts_at}
                until={new Date(Math.min(Date.now(), Date.parse(event.ends_at))).toISOString()}
              />
              <ul class="list" data-testid="by-door">
                {figures.by_door.map((d) => (
                  <li key={d.scanner_id} class="row">
                    <span>{d.scanner_id}</span>
                    <span class="spacer" />
                    <strong>{d.admitted}</strong>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p class="muted">Nobody admitted yet.</p>
          )}
          <h3>Capacity overrides</h3>
          {summary?.overrides.length ? (
            <ul class="list">
              {summary.overrides.map((o, i) => (
                <li key={i}>
                  {o.guest_name} at table {o.table_number} · by {o.by} · {dayAndTime(o.at)}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">None.</p>
          )}
        </section>
      </div>

      <section class="card stack">
        <h2>Reservations</h2>
        {reservations.length === 0 ? (
          <p class="muted">No table sold yet.</p>
        ) : (
          <ul class="list reservations">
            {reservations.map((r) => (
              <li key={r.id}>
                <div class="row">
                  <strong>
                    Table {r.table_number} · {r.tier}
                  </strong>
                  <span class="muted">{r.host_name}</span>
                  <span class="spacer" />
                  <span class={`pill ${r.host_arrived ? 'ok' : ''}`}>
                    {r.no_show ? 'No-show' : r.host_arrived ? 'Host arrived' : reservationStatusWords(r.status)}
                  </span>
                </div>
                {r.guests.length > 0 && (
                  <p class="small muted">
                    Guests: {r.guests.map((g) => `${g.name}${g.arrived ? ' ✓' : ''}`).join(', ')}
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      {promoters.some((p) => p.orders > 0) && (
        <section class="card stack">
          <h2>Promoters</h2>
          <div class="table-scroll" tabIndex={0} role="region" aria-label="What each promoter sold">
            <table class="figures" data-testid="promoter-figures">
              <thead>
                <tr>
                  <th scope="col">Promoter</th>
                  <th scope="col">Orders</th>
                  <th scope="col">Tickets</th>
                  <th scope="col">Tables</th>
                  <th scope="col">Revenue</th>
                  <th scope="col">Refunded</th>
                  <th scope="col">Came in</th>
                </tr>
              </thead>
              <tbody>
                {promoters
                  .filter((p) => p.orders > 0)
                  .map((p) => (
                    <tr key={p.id}>
                      <th scope="row">
                        {p.name} <span class="muted small">{p.code}</span>
                      </th>
                      <td>{p.orders}</td>
                      <td>{p.tickets}</td>
                      <td>{p.tables}</td>
                      <td>{money(p.revenue_cents)}</td>
                      <td>{money(p.refunded_cents)}</td>
                      <td>{p.admitted}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
          <p class="muted small">
            Orders placed through a promoter's link (the night's page with <code>?p=</code> and their code). The orders
            page exports this as CSV.
          </p>
        </section>
      )}

      <WaitlistPanel eventId={id} token={token} />
    </>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div class="stat">
      <span class="value">{value}</span>
      <span class="label">{label}</span>
    </div>
  );
}
