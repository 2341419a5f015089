import { useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../lib/api.js';
import { FieldError, invalidProps } from '../ui/FieldError.js';
import type { PublicEvent } from './types.js';
import type * as contract from '../lib/contract.js';
import { locale, t } from '../lib/i18n.js';

type Joined = contract.WaitlistJoined;

/**
 * A sold-out night: join the waitlist. How it works is said before joining (first come, first
 * offered; places held for a while by mail), and where they stand after.
 */
export function WaitlistForm({ event }: { event: PublicEvent }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [quantity, setQuantity] = useState(1);
  const [ageConfirmed, setAgeConfirmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [joined, setJoined] = useState<Joined | null>(null);
  const fieldError = (f: string) => (error?.field === f ? error.message : null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setJoined(
        await api<Joined>(`/api/v1/events/${encodeURIComponent(event.id)}/waitlist`, {
          body: {
            name: name.trim(),
            email: email.trim(),
            quantity,
            ...(event.min_age ? { age_confirmed: ageConfirmed } : {}),
            // The offer's mail comes in the language this page is read in.
            locale: locale.value,
          },
        }),
      );
    } catch (err) {
      const field = err instanceof ApiError ? Object.keys(err.details)[0] : undefined;
      setError({ message: errorText(err), ...(field && field !== 'available' ? { field } : {}) });
    } finally {
      setBusy(false);
    }
  };

  if (joined) {
    return (
      <section class="card stack" data-testid="waitlist-joined" role="status">
        <h2>{t('waitlist.joinedTitle')}</h2>
        <p>
          {t('waitlist.position', {
            position: joined.position,
            count: joined.quantity,
            minutes: joined.offer_minutes,
          })}
        </p>
      </section>
    );
  }

  return (
    <form class="card stack waitlist" onSubmit={submit} aria-busy={busy} data-testid="waitlist-form">
      <h2>{t('waitlist.title')}</h2>
      <p class="muted">{t('waitlist.how')}</p>
      <div class="field">
        <label for="wait-name">{t('buy.name')}</label>
        <input
          id="wait-name"
          class="input"
          required
          maxLength={100}
          autoComplete="name"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          {...invalidProps('wait-name-error', fieldError('name'))}
        />
        <FieldError id="wait-name-error" error={fieldError('name')} />
      </div>
      <div class="field">
        <label for="wait-email">{t('waitlist.email')}</label>
        <input
          id="wait-email"
          class="input"
          type="email"
          required
          maxLength={320}
          autoComplete="email"
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
          {...invalidProps('wait-email-error', fieldError('email'))}
        />
        <FieldError id="wait-email-error" error={fieldError('email')} />
      </div>
      <div class="field">
        <label for="wait-quantity">{t('buy.title')}</label>
        <select
          id="wait-quantity"
          class="input"
          value={quantity}
          onChange={(e) => setQuantity(Number(e.currentTarget.value))}
          {...invalidProps('wait-quantity-error', fieldError('quantity'))}
        >
          {Array.from({ length: event.ga.max_per_order }, (_, i) => (
            <option key={i} value={i + 1}>
              {i + 1}
            </option>
          ))}
        </select>
        <FieldError id="wait-quantity-error" error={fieldError('quantity')} />
      </div>
      {event.min_age && (
        <div class="field check">
          <label for="wait-age">
            <input
              id="wait-age"
              type="checkbox"
              required
              checked={ageConfirmed}
              onChange={(e) => setAgeConfirmed(e.currentTarget.checked)}
              {...invalidProps('wait-age-error', fieldError('age_confirmed'))}
            />{' '}
            {t('waitlist.age', { age: event.min_age, group: quantity > 1 ? 'yes' : 'no' })}
          </label>
          <FieldError id="wait-age-error" error={fieldError('age_confirmed')} />
        </div>
      )}
      {error && !error.field && (
        <p class="form-error" role="alert">
          {error.message}
        </p>
      )}
      <button class="btn primary block" type="submit" disabled={busy}>
        {busy ? t('waitlist.joining') : t('waitlist.join')}
      </button>
    </form>
  );
}
