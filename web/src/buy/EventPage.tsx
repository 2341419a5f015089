import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../lib/api.js';
import { saveOrder } from '../lib/my-orders.js';
import { promoterCode, rememberPromoter } from '../lib/promoter.js';
import { FieldError, invalidProps } from '../ui/FieldError.js';
import { Topbar } from '../ui/Topbar.js';
import { EventHeader } from './EventHeader.js';
import { TablePicker } from './TablePicker.js';
import { WaitlistForm } from './WaitlistForm.js';
import { salesClosed, type InviteView, type PlacedOrder, type PublicEvent } from './types.js';
import './buy.css';
import { fallBackToEventLocale, locale, t } from '../lib/i18n.js';
import { money as formatMoney } from '../lib/format.js';

/** `/e/:id`: the night, its prices, the room; GA tickets and a table, bought in one order. */
export function EventPage({ id }: { id: string }) {
  const { route, query } = useLocation();
  const invite = query.invite ?? null;
  const [event, setEvent] = useState<PublicEvent | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [inviteView, setInviteView] = useState<InviteView | null>(null);
  const [gaLeft, setGaLeft] = useState<number | null>(null);
  const [liveStatus, setLiveStatus] = useState<string | null>(null);
  const [quantity, setQuantity] = useState(1);
  const [tableId, setTableId] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [names, setNames] = useState<string[]>([]);
  const [ageConfirmed, setAgeConfirmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);

  // Reached inside the app with a promoter's link (the app remembers one it was opened with too).
  useEffect(() => rememberPromoter(location.search), [id]);

  useEffect(() => {
    api<PublicEvent>(`/api/v1/events/${encodeURIComponent(id)}`).then(
      (e) => {
        fallBackToEventLocale(e.locale);
        setEvent(e);
        setGaLeft(e.ga.available);
      },
      (err) => setProblem(err instanceof ApiError && err.status === 404 ? t('buy.noEvent') : errorText(err)),
    );
    if (invite)
      api<InviteView>(`/api/v1/invites/${encodeURIComponent(invite)}`).then(setInviteView, () => setInviteView(null));
  }, [id, invite]);

  if (problem) {
    return (
      <Shell title={t('buy.title')}>
        <p class="form-error" role="alert">
          {problem}
        </p>
        <p class="muted">{t('buy.mistyped')}</p>
        <p>
          <a class="btn" href="/">
            {t('home.heading')}
          </a>
        </p>
      </Shell>
    );
  }
  if (!event)
    return (
      <Shell title={t('buy.title')}>
        <p class="muted">{t('common.loading')}</p>
      </Shell>
    );

  const closed = salesClosed({ ...event, status: (liveStatus as PublicEvent['status'] | null) ?? event.status });
  const table = event.tables.find((t) => t.id === tableId) ?? null;
  const tier = table ? (event.tiers.find((t) => t.name === table.tier) ?? null) : null;
  const gaCents = event.ga.price_cents * quantity;
  const total = gaCents + (tier?.price_cents ?? 0);
  // As many as one order may hold, and no more than are left.
  const maxQuantity = Math.max(1, Math.min(event.ga.max_per_order, gaLeft ?? event.ga.max_per_order));
  const seatedGuests = tier ? Math.min(quantity - 1, tier.capacity - 1) : 0;
  const money = (c: number) => formatMoney(c, event.currency);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const promoter = promoterCode();
      const holderNames = [name, ...names.slice(0, quantity - 1)].map((n) => n.trim() || name.trim());
      const placed = await api<PlacedOrder>(`/api/v1/events/${encodeURIComponent(event.id)}/orders`, {
        body: {
          name,
          email,
          ga_quantity: quantity,
          ...(tableId ? { table_id: tableId } : {}),
          holder_names: holderNames,
          ...(event.min_age ? { age_confirmed: ageConfirmed } : {}),
          ...(promoter ? { promoter_code: promoter } : {}),
          // The order's mails come in the language this page is read in.
          locale: locale.value,
        },
      });
      await saveOrder({
        orderId: placed.order_id,
        token: placed.manage_token,
        eventId: event.id,
        eventName: event.name,
        startsAt: event.starts_at,
        ...(invite && !tableId ? { invite } : {}),
        savedAt: new Date().toISOString(),
      });
      route(`/orders/${placed.order_id}#token=${placed.manage_token}`);
    } catch (err) {
      const field = err instanceof ApiError ? Object.keys(err.details)[0] : undefined;
      setError({ message: errorText(err), ...(field ? { field } : {}) });
      setBusy(false);
    }
  };

  return (
    <Shell title={event.name}>
      <section class="stack">
        <EventHeader event={event} />
        {closed && (
          <p class="banner bad" role="status">
            {closed}
          </p>
        )}
        {inviteView && !closed && (
          <p class="banner info">
            {t('buy.invited', {
              host: inviteView.host_first_name,
              table: inviteView.table_number,
              tier: inviteView.tier,
            })}
          </p>
        )}
      </section>

      {!closed && gaLeft === 0 && <WaitlistForm event={event} />}

      {!closed && gaLeft !== 0 && (
        <form class="buy-grid" onSubmit={submit} aria-busy={busy}>
          <div class="stack">
            <section class="card stack">
              <h2>{t('buy.ga')}</h2>
              <p>
                {gaLeft !== null && gaLeft <= 20
                  ? t('buy.eachLeft', { price: money(event.ga.price_cents), left: gaLeft })
                  : t('buy.each', { price: money(event.ga.price_cents) })}
              </p>
              <div class="stepper" role="group" aria-label={t('buy.quantityLabel')}>
                <button
                  type="button"
                  class="btn"
                  onClick={() => setQuantity((q) => Math.max(1, q - 1))}
                  disabled={quantity <= 1}
                  aria-label={t('buy.fewer')}
                >
                  −
                </button>
                <output aria-live="polite" data-testid="quantity">
                  {quantity}
                </output>
                <button
                  type="button"
                  class="btn"
                  onClick={() => setQuantity((q) => Math.min(maxQuantity, q + 1))}
                  disabled={quantity >= maxQuantity}
                  aria-label={t('buy.more')}
                >
                  +
                </button>
              </div>
              {quantity >= maxQuantity && (
                <p class="muted small" data-testid="quantity-limit">
                  {maxQuantity < event.ga.max_per_order
                    ? t('buy.onlyLeft', { count: maxQuantity })
                    : t('buy.maxPerOrder', { count: maxQuantity })}
                </p>
              )}
            </section>
            {!invite && event.tables.length > 0 && (
              <section class="card stack">
                <h2>{t('buy.tableOptional')}</h2>
                <ul class="tiers">
                  {event.tiers.map((option) => (
                    <li key={option.id}>
                      <strong>{option.name}</strong>{' '}
                      {t('buy.tierLine', {
                        price: money(option.price_cents),
                        capacity: option.capacity,
                        minSpend: option.min_spend_cents ? money(option.min_spend_cents) : 'none',
                      })}
                    </li>
                  ))}
                </ul>
                <TablePicker
                  event={event}
                  selectedId={tableId}
                  onSelect={setTableId}
                  onAvailability={(ga, status) => {
                    if (ga >= 0) setGaLeft(ga);
                    setLiveStatus(status);
                  }}
                />
                {table && tier && (
                  <p class="banner info" data-testid="table-choice">
                    {t('buy.tableChoice', { table: table.number, tier: tier.name, capacity: tier.capacity })}
                    {seatedGuests > 0 && ` ${t('buy.seated', { count: seatedGuests })}`}
                    {quantity - 1 > seatedGuests && ` ${t('buy.overflow', { count: quantity - 1 - seatedGuests })}`}
                  </p>
                )}
              </section>
            )}
          </div>

          <section class="card stack">
            <h2>{t('buy.details')}</h2>
            <div class="field">
              <label for="buyer-name">{t('buy.name')}</label>
              <input
                id="buyer-name"
                class="input"
                required
                maxLength={100}
                autoComplete="name"
                value={name}
                onInput={(e) => setName(e.currentTarget.value)}
              />
              {error?.field === 'name' && <span class="error">{error.message}</span>}
            </div>
            <div class="field">
              <label for="buyer-email">{t('buy.email')}</label>
              <input
                id="buyer-email"
                class="input"
                type="email"
                required
                maxLength={320}
                autoComplete="email"
                value={email}
                onInput={(e) => setEmail(e.currentTarget.value)}
              />
              {error?.field === 'email' && <span class="error">{error.message}</span>}
            </div>
            {quantity > 1 && (
              <details class="names">
                <summary>{t('buy.otherNames')}</summary>
                {Array.from({ length: quantity - 1 }, (_, i) => (
                  <div class="field" key={i}>
                    <label for={`holder-${i}`}>{t('buy.ticketN', { n: i + 2 })}</label>
                    <input
                      id={`holder-${i}`}
                      class="input"
                      maxLength={100}
                      placeholder={name || t('buy.namePlaceholder')}
                      value={names[i] ?? ''}
                      onInput={(e) => {
                        const v = e.currentTarget.value;
                        setNames((n) => Object.assign([...n], { [i]: v }));
                      }}
                    />
                  </div>
                ))}
              </details>
            )}
            {event.min_age && (
              <div class="field check">
                <label for="age-confirmed">
                  <input
                    id="age-confirmed"
                    type="checkbox"
                    required
                    checked={ageConfirmed}
                    onChange={(e) => setAgeConfirmed(e.currentTarget.checked)}
                    {...invalidProps('age-error', error?.field === 'age_confirmed' ? error.message : null)}
                  />{' '}
                  {t('buy.age', { age: event.min_age, group: quantity > 1 ? 'yes' : 'no' })}
                </label>
                <FieldError id="age-error" error={error?.field === 'age_confirmed' ? error.message : null} />
              </div>
            )}
            <dl class="breakdown" data-testid="breakdown">
              <div>
                <dt>{t('buy.gaLine', { count: quantity, price: money(event.ga.price_cents) })}</dt>
                <dd>{money(gaCents)}</dd>
              </div>
              {table && tier && (
                <div>
                  <dt>{t('buy.tableLine', { table: table.number, tier: tier.name })}</dt>
                  <dd>{money(tier.price_cents)}</dd>
                </div>
              )}
            </dl>
            <div class="total">
              <span>{t('buy.total')}</span>
              <strong data-testid="total">{money(total)}</strong>
            </div>
            {error && !error.field && (
              <p class="form-error" role="alert">
                {error.message}
              </p>
            )}
            <button class="btn primary block" type="submit" disabled={busy}>
              {busy ? t('buy.reserving') : t('buy.continue')}
            </button>
            <p class="faint small">{t('buy.heldWhilePaying')}</p>
          </section>
        </form>
      )}
    </Shell>
  );
}

function Shell({ title, children }: { title: string; children: preact.ComponentChildren }) {
  return (
    <>
      <Topbar title={title} account={false} language />
      <main class="page buy stack">{children}</main>
    </>
  );
}
