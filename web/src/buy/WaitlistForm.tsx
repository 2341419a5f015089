import { useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../lib/api.js';
import { FieldError, invalidProps } from '../ui/FieldError.js';
import type { PublicEvent } from './types.js';
import type * as contract from '../lib/contract.js';
import { locale } from '../lib/i18n.js';

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
        <h2>You are on the waitlist</h2>
        <p>
          You are number <strong>{joined.position}</strong> in line for{' '}
          {joined.quantity === 1 ? '1 ticket' : `${joined.quantity} tickets`}. When places come free and it is your
          turn, we e-mail you: they are then held for you alone for {joined.offer_minutes} minutes while you pay.
        </p>
      </section>
    );
  }

  return (
    <form class="card stack waitlist" onSubmit={submit} aria-busy={busy} data-testid="waitlist-form">
      <h2>Sold out: join the waitlist</h2>
      <p class="muted">
        When places come free, they are offered to the people waiting, first come first served, by e-mail. Your places
        are then held for you for a while before they go to the next person.
      </p>
      <div class="field">
        <label for="wait-name">Your name</label>
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
        <label for="wait-email">E-mail (the offer is sent here)</label>
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
        <label for="wait-quantity">Tickets</label>
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
            I am {event.min_age} or older{quantity > 1 ? ', and so is everyone I wait for' : ''}. The door checks ID.
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
        {busy ? 'Joining…' : 'Join the waitlist'}
      </button>
    </form>
  );
}
