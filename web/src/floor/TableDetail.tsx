import { useLoad } from '../lib/use-load.js';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../lib/api.js';
import { statusLabel, type FloorTable } from '../ui/FloorPlan.js';
import type * as contract from '../lib/contract.js';
import { t } from '../lib/i18n.js';

type ReservationView = contract.ReservationView;

/** A tapped table's reservation: host, guests and who has arrived; refreshed as the table changes. */
export function TableDetail({
  table,
  token,
  onClose,
}: {
  table: FloorTable | null;
  token: string;
  onClose: () => void;
}) {
  const reservationId = table?.reservation_id ?? null;
  // Any change to the table (an arrival, a new guest) comes with a new object from the stream.
  const version = table ? `${table.status}/${table.guests_linked}/${table.guests_arrived}/${table.host_arrived}` : '';
  const loaded = useLoad(
    async (signal) =>
      reservationId
        ? api<ReservationView>(`/api/v1/reservations/${encodeURIComponent(reservationId)}`, { token, signal })
        : null,
    [reservationId, token],
  );
  const reload = loaded.reload;
  const shownVersion = useRef(version);
  useEffect(() => {
    if (shownVersion.current === version) return;
    shownVersion.current = version;
    void reload();
  }, [version, reload]);
  // Another table's party never shows under this one while its own is read.
  const view = loaded.data?.id === reservationId ? loaded.data : null;
  const error = loaded.error;

  if (!table) {
    return (
      <aside class="card table-detail" aria-label={t('floor.detail.label')}>
        <p class="muted">{t('floor.detail.tap')}</p>
      </aside>
    );
  }
  return (
    <aside class="card table-detail" aria-label={t('floor.detail.table', { number: table.number })} aria-live="polite">
      <div class="row">
        <h2>
          {t('floor.detail.table', { number: table.number })} <span class="muted">· {table.tier}</span>
        </h2>
        <span class="spacer" />
        <button class="btn ghost small" type="button" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      <p>
        <span class={`pill status-${table.status}`}>{statusLabel(table.status)}</span>{' '}
        <span class="muted">
          {t('floor.detail.counts', {
            arrived: table.guests_arrived,
            linked: table.guests_linked,
            capacity: table.capacity,
          })}
        </span>
      </p>
      {!reservationId && <p class="muted">{t('floor.detail.none')}</p>}
      {error && <p class="form-error">{error}</p>}
      {view && (
        <>
          <p>
            {t('floor.detail.host')} <strong>{view.host_name || t('floor.detail.unnamed')}</strong>{' '}
            {view.host_arrived ? (
              <span class="pill ok">{t('floor.detail.arrived')}</span>
            ) : view.no_show ? (
              <span class="pill bad">{t('floor.detail.noShow')}</span>
            ) : (
              <span class="pill">{t('floor.detail.notYet')}</span>
            )}
          </p>
          <h3>{t('floor.detail.guests')}</h3>
          {view.guests.length === 0 ? (
            <p class="muted">{t('floor.detail.noGuests')}</p>
          ) : (
            <ul class="list">
              {view.guests.map((g) => (
                <li key={g.ticket_id} class="row">
                  <span>{g.name || t('floor.detail.unnamedGuest')}</span>
                  <span class="spacer" />
                  {g.arrived ? (
                    <span class="pill ok">{t('floor.detail.arrived')}</span>
                  ) : (
                    <span class="pill">{t('floor.detail.notYet')}</span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </aside>
  );
}
