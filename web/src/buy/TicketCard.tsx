import QRCode from 'qrcode';
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import type { OrderTicket, OrderView } from './types.js';

const STATUS_WORDS: Record<OrderTicket['status'], string> = {
  pending: 'Not paid yet',
  valid: 'Valid',
  checked_in: 'Checked in',
  void: 'No longer valid',
};

/**
 * One person's ticket: a QR code drawn here from the order's data (never an image URL with the
 * token in it), big enough to scan from a phone at full brightness, and the holder's name,
 * editable until the event starts.
 */
export function TicketCard({
  ticket,
  index,
  role,
  token,
  editable,
  onChanged,
}: {
  ticket: OrderTicket;
  index: number;
  role: string;
  token: string;
  editable: boolean;
  onChanged: (o: OrderView) => void;
}) {
  const [svg, setSvg] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(ticket.holder_name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!ticket.qr) return setSvg(null);
    void QRCode.toString(ticket.qr, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } }).then(setSvg);
  }, [ticket.qr]);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onChanged(await api<OrderView>(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: { holder_name: name }, token, timeoutMs: 15_000 }));
      setEditing(false);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class={`ticket card t-${ticket.status}`} data-testid="ticket" aria-label={`Ticket ${index + 1}: ${ticket.holder_name}`}>
      {svg && ticket.status !== 'void' ? (
        <div class="qr" role="img" aria-label={`QR code of ticket ${index + 1}`} dangerouslySetInnerHTML={{ __html: svg }} />
      ) : (
        <div class="qr empty">{ticket.status === 'pending' ? 'Your code appears once paid' : 'This ticket no longer admits anyone'}</div>
      )}
      <div class="ticket-text stack">
        <span class="pill info">{role}</span>
        {editing ? (
          <form class="row" onSubmit={save}>
            <label class="visually-hidden" for={`name-${ticket.id}`}>
              Name on ticket {index + 1}
            </label>
            <input id={`name-${ticket.id}`} class="input" maxLength={100} required value={name} onInput={(e) => setName(e.currentTarget.value)} />
            <button class="btn primary small" type="submit" disabled={busy}>
              Save
            </button>
            <button class="btn ghost small" type="button" onClick={() => (setEditing(false), setName(ticket.holder_name), setError(null))}>
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
      </div>
    </article>
  );
}
