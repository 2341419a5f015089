import { formatMoney } from '@domain/money.js';
import { useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { ArrivalAlerts } from './ArrivalAlerts.js';
import type { PublicEvent, Reservation } from './types.js';

/**
 * The VIP host's table: number, tier, minimum spend, the invite to share, and the guest list
 * (who linked, who arrived) with removal until the event starts; then it shows as locked.
 */
export function HostPanel({
  reservation,
  event,
  token,
  started,
  over,
  onChanged,
}: {
  reservation: Reservation;
  event: PublicEvent | null;
  token: string;
  started: boolean;
  /** The night is over: nobody is arriving any more. */
  over: boolean;
  onChanged: () => void;
}) {
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const tier = event?.tiers.find((t) => t.name === reservation.tier);
  const active = reservation.status === 'confirmed' || reservation.status === 'checked_in';
  const places = reservation.capacity - 1;

  const share = async () => {
    const text = `Join my table ${reservation.table_number} at ${event?.name ?? 'the event'}: ${reservation.invite_url} (code ${reservation.invite_code})`;
    try {
      if (navigator.share) await navigator.share({ title: 'Join my table', text, url: reservation.invite_url });
      else {
        await navigator.clipboard.writeText(text);
        setCopied(true);
      }
    } catch {
      // The share sheet was closed: nothing to do.
    }
  };

  const allowTransfers = async (allowed: boolean) => {
    setError(null);
    try {
      await api(`/api/v1/reservations/${reservation.id}/guest-transfers`, {
        method: 'PUT',
        body: { allowed },
        token,
      });
      onChanged();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const remove = async (ticketId: string) => {
    setError(null);
    try {
      await api(`/api/v1/reservations/${reservation.id}/guests/${ticketId}`, {
        method: 'DELETE',
        token,
      });
      onChanged();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section class="card stack host-panel" aria-labelledby="table-title">
      <h2 id="table-title">
        Table {reservation.table_number} <span class="muted">· {reservation.tier}</span>
      </h2>
      <p>
        Up to {reservation.capacity} people, you included
        {tier?.min_spend_cents && event ? ` · minimum spend ${formatMoney(tier.min_spend_cents, event.currency)}` : ''}.
        Your ticket is your table's key: one scan at the door lets you in and opens your table.
      </p>
      {active && !started && (
        <div class="invite stack">
          <h3>Invite your guests</h3>
          <p class="muted small">Each guest links their own GA ticket with this link or code.</p>
          <div class="invite-code" data-testid="invite-code">
            {reservation.invite_code}
          </div>
          <a class="invite-url" href={reservation.invite_url} data-testid="invite-url">
            {reservation.invite_url}
          </a>
          <button class="btn primary no-print" type="button" onClick={share}>
            {copied ? 'Copied' : 'Share invite'}
          </button>
        </div>
      )}
      {active && !over && <ArrivalAlerts reservationId={reservation.id} token={token} />}
      <h3>
        Guest list{' '}
        <span class="muted">
          ({reservation.guests.length} of {places})
        </span>
        {started && reservation.guests.length > 0 && (
          <span class="muted" data-testid="arrived-count">
            {' '}
            · {reservation.guests.filter((g) => g.arrived).length} arrived
          </span>
        )}
      </h3>
      {active && !started && (
        <div class="field check no-print">
          <label>
            <input
              type="checkbox"
              checked={reservation.guests_may_transfer}
              onChange={(e) => void allowTransfers(e.currentTarget.checked)}
              data-testid="guests-may-transfer"
            />
            <span>
              Guests may pass their place on: a guest who sends their ticket to a friend hands over their place at your
              table too (otherwise the friend comes in as plain GA)
            </span>
          </label>
        </div>
      )}
      {started && active && (
        <p class="banner info">
          The event has started: the guest list is locked. Staff at the door can still add a guest.
        </p>
      )}
      {reservation.guests.length === 0 ? (
        <p class="muted">No guests yet.</p>
      ) : (
        <ul class="list guests" data-testid="guest-list">
          {reservation.guests.map((g) => (
            <li key={g.ticket_id}>
              <span class="guest-name">{g.name}</span>
              <span class={`pill ${g.arrived ? 'ok' : ''}`}>{g.arrived ? 'Arrived' : 'Not arrived'}</span>
              {!started && active && (
                <button
                  class="btn ghost small no-print"
                  type="button"
                  onClick={() => void remove(g.ticket_id)}
                  aria-label={`Remove ${g.name} from the table`}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
