import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { openDoorFiguresStream, openFloorStream, type DoorFigures } from '../lib/floor-stream.js';
import { dayAndTime, money as formatMoney } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import { Slotted } from '../ui/Slotted.js';
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
    <AdminShell title={t('dash.title')}>
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
    const every15s = setInterval(() => void loadNumbers(), 15_000);
    const closeDoor = openDoorFiguresStream(id, token, {
      onSnapshot: setDoor,
      onStatus: () => {},
      onUnauthorized: () => void logOut(),
    });
    const close = openFloorStream(id, token, {
      onSnapshot: (plan) => setTables(plan.tables),
      onTable: (table) => setTables((all) => all.map((x) => (x.id === table.id ? table : x))),
      onEventStatus: () => void loadNumbers(),
      onStatus: () => {},
      onUnauthorized: () => void logOut(),
    });
    return () => (clearInterval(every15s), close(), closeDoor());
  }, [id, token, loadNumbers]);

  // The guest lists of the tables that have a party, refreshed as the room changes.
  const partyKey = tables
    .filter((table) => table.reservation_id)
    .map((table) => `${table.reservation_id}:${table.guests_linked}:${table.guests_arrived}:${table.host_arrived}`)
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
  if (!event) return <p class="muted">{t('common.loading')}</p>;
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
            {t('common.range', {
              start: dayAndTime(event.starts_at, event.time_zone),
              end: dayAndTime(event.ends_at, event.time_zone),
            })}
          </span>
        </div>
        <span class="spacer" />
        <span class={`pill ${phase === 'cancelled' ? 'bad' : phase === 'past' ? '' : 'ok'}`} data-testid="event-status">
          {t('dash.phase', { phase: phase === 'tonight' && started ? 'on' : phase })}
        </span>
      </div>
      <div class="row wrap actions">
        <a class="btn" href={`/e/${event.id}`}>
          {t('dash.publicPage')}
        </a>
        <a class="btn" href={`/events/${event.id}/floor`}>
          {t('floor.title')}
        </a>
        <a class="btn" href={`/admin/events/${event.id}/orders`}>
          {t('dash.orders')}
        </a>
        {event.status === 'scheduled' && phase !== 'past' && (
          <a class="btn" href={`/admin/events/${event.id}/edit`}>
            {t('dash.edit')}
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
            {t('dash.endNow')}
          </button>
        )}
        {event.status === 'scheduled' && !started && (
          <a class="btn danger" href={`/admin/events/${event.id}/cancel`}>
            {t('dash.cancel')}
          </a>
        )}
        {event.status === 'cancelled' && (
          <a class="btn" href={`/admin/events/${event.id}/cancel`}>
            {t('dash.refunds')}
          </a>
        )}
      </div>
      {event.status === 'scheduled' && started && <p class="faint small">{t('dash.started')}</p>}
      {confirmingEnd && (
        <section
          class="card stack confirm"
          id="end-confirm"
          aria-labelledby="end-confirm-title"
          data-testid="end-confirm"
        >
          <h2 id="end-confirm-title">{t('dash.endConfirm', { name: event.name })}</h2>
          <p>{t('dash.endWhat')}</p>
          <div class="row">
            <button class="btn danger" type="button" onClick={() => void endNow()} disabled={ending}>
              {ending ? t('dash.ending') : t('dash.endNight')}
            </button>
            <button class="btn ghost" type="button" onClick={() => setConfirmingEnd(false)} disabled={ending}>
              {t('dash.keepOpen')}
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
        <section class="stats" aria-label={t('dash.sales')}>
          <Stat label={t('dash.gaSold')} value={`${s.ga_sold} / ${s.ga_capacity}`} />
          <Stat label={t('floor.tablesSold')} value={`${s.tables_sold} / ${s.tables_total}`} />
          <Stat label={t('dash.revenue')} value={money(s.revenue_cents)} />
          <Stat label={t('dash.refunded')} value={money(s.refunded_cents)} />
          <Stat label={t('door.admitted')} value={String(figures?.admitted ?? 0)} />
        </section>
      )}

      <div class="dash-grid">
        <section class="card stack">
          <h2>{t('dash.room')}</h2>
          <FloorPlan tables={tables} title={t('floor.planOf', { event: event.name })} />
          <FloorLegend />
        </section>
        <section class="card stack">
          <h2>{t('dash.door')}</h2>
          {figures && figures.admitted > 0 ? (
            <>
              <p class="door-total" data-testid="door-admitted">
                <Slotted message="dash.doorTotal" slot="count">
                  <strong>{figures.admitted}</strong>
                </Slotted>
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
            <p class="muted">{t('dash.nobodyYet')}</p>
          )}
          <h3>{t('dash.overrides')}</h3>
          {summary?.overrides.length ? (
            <ul class="list">
              {summary.overrides.map((o, i) => (
                <li key={i}>
                  {t('dash.override', { guest: o.guest_name, table: o.table_number, by: o.by, at: dayAndTime(o.at) })}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">{t('dash.none')}</p>
          )}
        </section>
      </div>

      <section class="card stack">
        <h2>{t('dash.reservations')}</h2>
        {reservations.length === 0 ? (
          <p class="muted">{t('dash.noTables')}</p>
        ) : (
          <ul class="list reservations">
            {reservations.map((r) => (
              <li key={r.id}>
                <div class="row">
                  <strong>
                    {t('floor.detail.table', { number: r.table_number })} · {r.tier}
                  </strong>
                  <span class="muted">{r.host_name}</span>
                  <span class="spacer" />
                  <span class={`pill ${r.host_arrived ? 'ok' : ''}`}>
                    {r.no_show
                      ? t('dash.noShow')
                      : r.host_arrived
                        ? t('floor.legendHost')
                        : reservationStatusWords(r.status)}
                  </span>
                </div>
                {r.guests.length > 0 && (
                  <p class="small muted">
                    {t('dash.guests', { names: r.guests.map((g) => `${g.name}${g.arrived ? ' ✓' : ''}`).join(', ') })}
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      {promoters.some((p) => p.orders > 0) && (
        <section class="card stack">
          <h2>{t('admin.nav.promoters')}</h2>
          <div class="table-scroll" tabIndex={0} role="region" aria-label={t('dash.promoterTable')}>
            <table class="figures" data-testid="promoter-figures">
              <thead>
                <tr>
                  <th scope="col">{t('dash.col.promoter')}</th>
                  <th scope="col">{t('dash.orders')}</th>
                  <th scope="col">{t('buy.title')}</th>
                  <th scope="col">{t('dash.col.tables')}</th>
                  <th scope="col">{t('dash.revenue')}</th>
                  <th scope="col">{t('dash.refunded')}</th>
                  <th scope="col">{t('dash.col.cameIn')}</th>
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
            <Slotted message="dash.promoterNote" slot="param">
              <code>?p=</code>
            </Slotted>
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
