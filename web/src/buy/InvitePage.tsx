import { useCallback, useEffect, useState } from 'preact/hooks';
import { useLoad } from '../lib/use-load.js';
import { api, ApiError, errorText } from '../lib/api.js';
import { dayAndTime } from '../lib/format.js';
import { parseOrderLink, savedOrders } from '../lib/my-orders.js';
import { Topbar } from '../ui/Topbar.js';
import type { InviteView, OrderTicket, OrderView } from './types.js';
import './buy.css';
import { t } from '../lib/i18n.js';

interface Candidate {
  order: OrderView;
  token: string;
  ticket: OrderTicket;
}

/**
 * `/i/:code`: a guest links their own GA ticket to the host's table. Tickets this device knows
 * (orders bought here) are offered at once; another order's link can be pasted; a guest without a
 * ticket buys one and comes back linked (the event page carries the invite).
 */
export function InvitePage({ code }: { code: string }) {
  const [candidates, setCandidates] = useState<Candidate[]>([]);
  const [pasted, setPasted] = useState('');
  const [pasteError, setPasteError] = useState<string | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const inviteLoad = useLoad(
    (signal) =>
      api<InviteView>(`/api/v1/invites/${encodeURIComponent(code)}`, { signal }).catch((err: unknown) => {
        if (!(err instanceof ApiError && err.code === 'invalid_invite')) throw err;
        throw new ApiError(err.status, err.code, t('invite.unknown'));
      }),
    [code],
  );
  const invite = inviteLoad.data;
  const problem = inviteLoad.error;
  const loadInvite = inviteLoad.reload;

  const addOrder = useCallback(async (orderId: string, token: string) => {
    const order = await api<OrderView>(`/api/v1/orders/${encodeURIComponent(orderId)}`, { token });
    const fresh = order.tickets
      .filter((ticket) => ticket.status === 'valid' && !ticket.is_host)
      .map((ticket) => ({ order, token, ticket }));
    setCandidates((c) => [...c.filter((x) => x.order.order_id !== order.order_id), ...fresh]);
    return order;
  }, []);

  // The tickets this phone already holds for the night, offered for linking.
  const eventId = invite?.event_id;
  useEffect(() => {
    if (!eventId) return;
    void savedOrders(eventId).then((orders) =>
      Promise.all(orders.map((o) => addOrder(o.orderId, o.token).catch(() => null))),
    );
  }, [eventId, addOrder]);

  const link = async (c: Candidate) => {
    setBusy(true);
    setResult(null);
    try {
      const r = await api<{ table_number: number }>(`/api/v1/tickets/${c.ticket.id}/link`, {
        body: { invite_code: code },
        token: c.token,
      });
      setResult({
        ok: true,
        text: t('invite.linked', { name: c.ticket.holder_name, table: r.table_number }),
      });
      await addOrder(c.order.order_id, c.token);
      void loadInvite();
    } catch (err) {
      setResult({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const paste = async (e: Event) => {
    e.preventDefault();
    setPasteError(null);
    const parsed = parseOrderLink(pasted);
    if (!parsed) return setPasteError(t('invite.notALink'));
    try {
      const order = await addOrder(parsed.orderId, parsed.token);
      if (order.event_id !== invite?.event_id) setPasteError(t('invite.otherEvent'));
      setPasted('');
    } catch (err) {
      setPasteError(
        err instanceof ApiError && (err.status === 404 || err.status === 401) ? t('invite.badLink') : errorText(err),
      );
    }
  };

  if (problem)
    return (
      <Shell>
        <p class="form-error">{problem}</p>
      </Shell>
    );
  if (!invite)
    return (
      <Shell>
        <p class="muted">{t('invite.loading')}</p>
      </Shell>
    );

  const sameEvent = candidates.filter((c) => c.order.event_id === invite.event_id);
  return (
    <Shell>
      <section class="stack">
        <h1>{t('invite.heading', { host: invite.host_first_name, table: invite.table_number })}</h1>
        <p class="lead">
          {invite.event_name} · {dayAndTime(invite.starts_at, invite.time_zone)}
        </p>
        <p class="muted">
          {t('invite.places', { tier: invite.tier, taken: invite.guests_linked, places: invite.guest_places })}
        </p>
        {invite.closed_reason && <p class="banner bad">{t(`invite.closed.${invite.closed_reason}`)}</p>}
        {result && (
          <p class={`banner ${result.ok ? 'info' : 'bad'}`} role="status" data-testid="link-result">
            {result.text}
          </p>
        )}
      </section>

      {!invite.closed_reason && (
        <>
          <section class="card stack">
            <h2>{t('invite.join')}</h2>
            {sameEvent.length === 0 ? (
              <p class="muted">{t('invite.noneHere')}</p>
            ) : (
              <ul class="list">
                {sameEvent.map((c) => (
                  <li key={c.ticket.id} class="row">
                    <span>
                      <strong>{c.ticket.holder_name}</strong>
                      <span class="muted small">
                        {' '}
                        · {c.ticket.linked_reservation_id ? t('invite.atTable') : t('invite.gaTicket')}
                      </span>
                    </span>
                    <span class="spacer" />
                    <button
                      class="btn primary small"
                      type="button"
                      disabled={busy || !!c.ticket.linked_reservation_id}
                      onClick={() => void link(c)}
                    >
                      {t('invite.joinTable', { table: invite.table_number })}
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <form class="stack" onSubmit={paste}>
              <div class="field">
                <label for="order-link">{t('invite.paste')}</label>
                <input
                  id="order-link"
                  class="input"
                  value={pasted}
                  onInput={(e) => setPasted(e.currentTarget.value)}
                  placeholder="https://…/orders/…#token=…"
                />
                {pasteError && <span class="error">{pasteError}</span>}
              </div>
              <button class="btn" type="submit">
                {t('invite.find')}
              </button>
            </form>
          </section>
          <section class="card stack">
            <h2>{t('invite.noTicket')}</h2>
            <p class="muted">{t('invite.buyHow')}</p>
            <a class="btn primary" href={`/e/${invite.event_id}?invite=${encodeURIComponent(invite.invite_code)}`}>
              {t('invite.buy')}
            </a>
          </section>
        </>
      )}
    </Shell>
  );
}

function Shell({ children }: { children: preact.ComponentChildren }) {
  return (
    <>
      <Topbar title={t('invite.title')} account={false} language />
      <main class="page buy narrow stack">{children}</main>
    </>
  );
}
