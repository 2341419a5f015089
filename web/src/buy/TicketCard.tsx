import QRCode from 'qrcode';
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { TransferForm } from './TransferForm.js';
import { WalletButtons } from './WalletButtons.js';
import type { OrderTicket } from './types.js';

const STATUS_WORDS: Record<OrderTicket['status'], string> = {
  pending: 'Not paid yet',
  valid: 'Valid',
  checked_in: 'Checked in',
  void: 'No longer valid',
};

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
        aria-label={`Ticket ${index + 1}: sent to ${ticket.holder_name}`}
      >
        <div class="ticket-text stack">
          <span class="pill">Sent to a friend</span>
          <strong class="holder">{ticket.holder_name}</strong>
          <span class="muted small">
            Sent to {ticket.holder_name}: the code is theirs now. They got an e-mail with their own link; this ticket no
            longer opens the door for you.
          </span>
        </div>
      </article>
    );
  }

  return (
    <article
      class={`ticket card t-${ticket.status}`}
      data-testid="ticket"
      aria-label={`Ticket ${index + 1}: ${ticket.holder_name}`}
    >
      {svg && ticket.status !== 'void' ? (
        <div
          class="qr"
          role="img"
          aria-label={`QR code of ticket ${index + 1}`}
          dangerouslySetInnerHTML={{ __html: svg }}
        />
      ) : (
        <div class="qr empty">
          {ticket.status === 'pending' ? 'Your code appears once paid' : 'This ticket no longer admits anyone'}
        </div>
      )}
      <div class="ticket-text stack">
        <span class="pill info">{role}</span>
        {editing ? (
          <form class="row" onSubmit={save}>
            <label class="visually-hidden" for={`name-${ticket.id}`}>
              Name on ticket {index + 1}
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
              Save
            </button>
            <button
              class="btn ghost small"
              type="button"
              onClick={() => (setEditing(false), setName(ticket.holder_name), setError(null))}
            >
              Cancel
            </button>
          </form>
        ) : (
          <div class="row">
            <strong class="holder">{ticket.holder_name}</strong>
            {editable && ticket.status !== 'void' && (
              <button class="btn ghost small no-print" type="button" onClick={() => setEditing(true)}>
                Change name
              </button>
            )}
          </div>
        )}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <span class="muted small">{STATUS_WORDS[ticket.status]}</span>
        {ticket.qr && (ticket.status === 'valid' || ticket.status === 'checked_in') && (
          <WalletButtons ticketId={ticket.id} token={token} />
        )}
        {editable && transfer && ticket.status === 'valid' && !editing && !sending && (
          <button class="btn ghost small no-print" type="button" onClick={() => setSending(true)}>
            Send to a friend
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
