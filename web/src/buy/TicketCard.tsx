import QRCode from 'qrcode';
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { TransferForm } from './TransferForm.js';
import { WalletButtons } from './WalletButtons.js';
import type { OrderTicket } from './types.js';
import { t } from '../lib/i18n.js';

/**
 * One person's ticket: a QR code drawn here from the order's data (never an image URL with the
 * token in it), big enough to scan from a phone at full brightness, and the holder's name,
 * editable until the event starts; then "send to a friend" for a ticket that may be passed on.
 * A ticket sent on shows who has it now, and no code.
 */
export function TicketCard({
  ticket,
  index,
  role,
  token,
  editable,
  transfer,
  onChanged,
}: {
  ticket: Pick<OrderTicket, 'id' | 'status' | 'qr' | 'holder_name'> & { transferred?: boolean };
  index: number;
  role: string;
  token: string;
  editable: boolean;
  /** It may be sent to a friend (null: it may not, e.g. a host's table key), and what becomes of its table place. */
  transfer: { tableNote: string | null } | null;
  /** The ticket changed on the server (renamed, sent on): read it again. */
  onChanged: () => void;
}) {
  const [sending, setSending] = useState(false);
  const [svg, setSvg] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(ticket.holder_name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!ticket.qr) return setSvg(null);
    void QRCode.toString(ticket.qr, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
      color: { dark: '#000000', light: '#ffffff' },
    }).then(setSvg);
  }, [ticket.qr]);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api(`/api/v1/tickets/${ticket.id}`, {
        method: 'PATCH',
        body: { holder_name: name },
        token,
      });
      setEditing(false);
      onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (ticket.transferred) {
    return (
      <article
        class="ticket card t-transferred"
        data-testid="ticket"
        aria-label={t('ticket.sentLabel', { n: index + 1, name: ticket.holder_name })}
      >
        <div class="ticket-text stack">
          <span class="pill">{t('ticket.sentPill')}</span>
          <strong class="holder">{ticket.holder_name}</strong>
          <span class="muted small">{t('ticket.sentText', { name: ticket.holder_name })}</span>
        </div>
      </article>
    );
  }

  return (
    <article
      class={`ticket card t-${ticket.status}`}
      data-testid="ticket"
      aria-label={t('ticket.label', { n: index + 1, name: ticket.holder_name })}
    >
      {svg && ticket.status !== 'void' ? (
        <div
          class="qr"
          role="img"
          aria-label={t('ticket.qrLabel', { n: index + 1 })}
          dangerouslySetInnerHTML={{ __html: svg }}
        />
      ) : (
        <div class="qr empty">{ticket.status === 'pending' ? t('ticket.codeOncePaid') : t('ticket.noLonger')}</div>
      )}
      <div class="ticket-text stack">
        <span class="pill info">{role}</span>
        {editing ? (
          <form class="row" onSubmit={save}>
            <label class="visually-hidden" for={`name-${ticket.id}`}>
              {t('ticket.nameLabel', { n: index + 1 })}
            </label>
            <input
              id={`name-${ticket.id}`}
              class="input"
              maxLength={100}
              required
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
            <button class="btn primary small" type="submit" disabled={busy}>
              {t('common.save')}
            </button>
            <button
              class="btn ghost small"
              type="button"
              onClick={() => (setEditing(false), setName(ticket.holder_name), setError(null))}
            >
              {t('common.cancel')}
            </button>
          </form>
        ) : (
          <div class="row">
            <strong class="holder">{ticket.holder_name}</strong>
            {editable && ticket.status !== 'void' && (
              <button class="btn ghost small no-print" type="button" onClick={() => setEditing(true)}>
                {t('ticket.changeName')}
              </button>
            )}
          </div>
        )}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <span class="muted small">{t(`ticket.status.${ticket.status}`)}</span>
        {ticket.qr && (ticket.status === 'valid' || ticket.status === 'checked_in') && (
          <WalletButtons ticketId={ticket.id} token={token} />
        )}
        {editable && transfer && ticket.status === 'valid' && !editing && !sending && (
          <button class="btn ghost small no-print" type="button" onClick={() => setSending(true)}>
            {t('ticket.send')}
          </button>
        )}
        {sending && transfer && (
          <TransferForm
            ticketId={ticket.id}
            token={token}
            tableNote={transfer.tableNote}
            onCancel={() => setSending(false)}
            onDone={() => (setSending(false), onChanged())}
          />
        )}
      </div>
    </article>
  );
}
