import { useLoad } from '../lib/use-load.js';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../lib/api.js';
import { STATUS_LABEL, type FloorTable } from '../ui/FloorPlan.js';
import type * as contract from '../lib/contract.js';

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
      <aside class="card table-detail" aria-label="Table details">
        <p class="muted">Tap a table to see its host and guests.</p>
      </aside>
    );
  }
  return (
    <aside class="card table-detail" aria-label={`Table ${table.number}`} aria-live="polite">
      <div class="row">
        <h2>
          Table {table.number} <span class="muted">· {table.tier}</span>
        </h2>
        <span class="spacer" />
        <button class="btn ghost small" type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <p>
        <span class={`pill status-${table.status}`}>{STATUS_LABEL[table.status]}</span>{' '}
        <span class="muted">
          {table.guests_arrived} of {table.guests_linked} guests arrived · seats {table.capacity}
        </span>
      </p>
      {!reservationId && <p class="muted">No reservation on this table.</p>}
      {error && <p class="form-error">{error}</p>}
      {view && (
        <>
          <p>
            Host: <strong>{view.host_name || 'unnamed'}</strong>{' '}
            {view.host_arrived ? (
              <span class="pill ok">arrived</span>
            ) : view.no_show ? (
              <span class="pill bad">no-show</span>
            ) : (
              <span class="pill">not yet</span>
            )}
          </p>
          <h3>Guests</h3>
          {view.guests.length === 0 ? (
            <p class="muted">No guests linked yet.</p>
          ) : (
            <ul class="list">
              {view.guests.map((g) => (
                <li key={g.ticket_id} class="row">
                  <span>{g.name || 'unnamed guest'}</span>
                  <span class="spacer" />
                  {g.arrived ? <span class="pill ok">arrived</span> : <span class="pill">not yet</span>}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </aside>
  );
}
