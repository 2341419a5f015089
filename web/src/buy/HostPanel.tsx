import { useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { ArrivalAlerts } from './ArrivalAlerts.js';
import type { PublicEvent, Reservation } from './types.js';
import { money } from '../lib/format.js';
import { t } from '../lib/i18n.js';

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
    const text = t('host.shareText', {
      table: reservation.table_number,
      event: event?.name ?? t('host.theEvent'),
      url: reservation.invite_url,
      code: reservation.invite_code,
    });
    try {
      if (navigator.share) await navigator.share({ title: t('host.shareTitle'), text, url: reservation.invite_url });
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
        {t('floor.detail.table', { number: reservation.table_number })} <span class="muted">· {reservation.tier}</span>
      </h2>
      <p>
        {t('host.about', {
          capacity: reservation.capacity,
          minSpend: tier?.min_spend_cents && event ? money(tier.min_spend_cents, event.currency) : 'none',
        })}
      </p>
      {active && !started && (
        <div class="invite stack">
          <h3>{t('host.invite')}</h3>
          <p class="muted small">{t('host.inviteHow')}</p>
          <div class="invite-code" data-testid="invite-code">
            {reservation.invite_code}
          </div>
          <a class="invite-url" href={reservation.invite_url} data-testid="invite-url">
            {reservation.invite_url}
          </a>
          <button class="btn primary no-print" type="button" onClick={share}>
            {copied ? t('host.copied') : t('host.share')}
          </button>
        </div>
      )}
      {active && !over && <ArrivalAlerts reservationId={reservation.id} token={token} />}
      <h3>
        {t('host.guestList')}{' '}
        <span class="muted">{t('host.guestCount', { linked: reservation.guests.length, places })}</span>
        {started && reservation.guests.length > 0 && (
          <span class="muted" data-testid="arrived-count">
            {' '}
            · {t('host.arrivedCount', { count: reservation.guests.filter((g) => g.arrived).length })}
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
            <span>{t('host.mayTransfer')}</span>
          </label>
        </div>
      )}
      {started && active && <p class="banner info">{t('host.locked')}</p>}
      {reservation.guests.length === 0 ? (
        <p class="muted">{t('host.noGuests')}</p>
      ) : (
        <ul class="list guests" data-testid="guest-list">
          {reservation.guests.map((g) => (
            <li key={g.ticket_id}>
              <span class="guest-name">{g.name}</span>
              <span class={`pill ${g.arrived ? 'ok' : ''}`}>
                {g.arrived ? t('host.arrived') : t('host.notArrived')}
              </span>
              {!started && active && (
                <button
                  class="btn ghost small no-print"
                  type="button"
                  onClick={() => void remove(g.ticket_id)}
                  aria-label={t('host.removeLabel', { name: g.name })}
                >
                  {t('host.remove')}
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
