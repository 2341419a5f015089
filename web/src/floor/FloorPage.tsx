import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { openFloorStream, type FeedStatus } from '../lib/floor-stream.js';
import { logOut, session } from '../lib/session.js';
import { FloorLegend, FloorPlan, type FloorTable } from '../ui/FloorPlan.js';
import { RequireLogin } from '../ui/RequireLogin.js';
import { Topbar } from '../ui/Topbar.js';
import { LiveBadge } from './LiveBadge.js';
import { TableDetail } from './TableDetail.js';
import './floor.css';
import type * as contract from '../lib/contract.js';
import { t } from '../lib/i18n.js';

type EventSummary = Pick<contract.EventView, 'id' | 'name' | 'starts_at' | 'ends_at' | 'status'>;

export function FloorPage({ id }: { id: string }) {
  return (
    <RequireLogin roles={['owner', 'staff']} heading={t('floor.title')}>
      <LiveFloor eventId={id} />
    </RequireLogin>
  );
}

/** The VIP host's and the manager's screen: every table, live, without reloading. */
function LiveFloor({ eventId }: { eventId: string }) {
  const token = session.value!.token;
  const [tables, setTables] = useState<FloorTable[]>([]);
  const [status, setStatus] = useState<FeedStatus>('connecting');
  const [eventStatus, setEventStatus] = useState<string | null>(null);
  const [event, setEvent] = useState<EventSummary | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);

  useEffect(() => {
    api<EventSummary>(`/api/v1/events/${encodeURIComponent(eventId)}`, { token }).then(setEvent, (err) =>
      setProblem(errorText(err)),
    );
    return openFloorStream(eventId, token, {
      onSnapshot: (plan) => {
        setTables(plan.tables);
        if (plan.event_status) setEventStatus(plan.event_status);
      },
      onTable: (t) =>
        setTables((all) => (all.some((x) => x.id === t.id) ? all.map((x) => (x.id === t.id ? t : x)) : [...all, t])),
      onEventStatus: setEventStatus,
      onStatus: setStatus,
      onUnauthorized: () => void logOut(),
      onNotFound: () => setProblem(t('floor.noEvent')),
    });
  }, [eventId, token]);

  const totals = useMemo(() => {
    const sold = tables.filter((t) => t.status === 'reserved' || t.status === 'arrived' || t.status === 'completed');
    return {
      reserved: sold.length,
      arrived: tables.filter((t) => t.host_arrived).length,
      guestsArrived: tables.reduce((n, t) => n + t.guests_arrived, 0),
      guestsLinked: tables.reduce((n, t) => n + t.guests_linked, 0),
    };
  }, [tables]);

  const selected = tables.find((t) => t.id === selectedId) ?? null;
  const title = event ? event.name : t('floor.plan');

  return (
    <>
      <Topbar title={title}>
        <LiveBadge status={status} />
      </Topbar>
      <main class="page">
        {problem && (
          <p class="form-error" role="alert">
            {problem}
          </p>
        )}
        {eventStatus === 'cancelled' && (
          <p class="card" role="status">
            {t('floor.cancelled')}
          </p>
        )}
        <section class="floor-totals" aria-label={t('floor.totals')}>
          <div class="stat">
            <span class="value" data-testid="tables-reserved">
              {totals.reserved}
            </span>
            <span class="label">{t('floor.tablesSold')}</span>
          </div>
          <div class="stat">
            <span class="value" data-testid="tables-arrived">
              {totals.arrived}/{totals.reserved}
            </span>
            <span class="label">{t('floor.hostsArrived')}</span>
          </div>
          <div class="stat">
            <span class="value" data-testid="guests-arrived">
              {totals.guestsArrived}/{totals.guestsLinked}
            </span>
            <span class="label">{t('floor.guestsArrived')}</span>
          </div>
        </section>
        <div class="grid-2">
          <div class="card floor-card">
            <FloorPlan
              tables={tables}
              selectedId={selectedId}
              onSelect={(t) => setSelectedId(t.id === selectedId ? null : t.id)}
              title={t('floor.planOf', { event: title })}
            />
            <FloorLegend />
          </div>
          <TableDetail table={selected} token={token} onClose={() => setSelectedId(null)} />
        </div>
      </main>
    </>
  );
}
