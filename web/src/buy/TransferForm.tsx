import { useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../lib/api.js';
import { FieldError, invalidProps } from '../ui/FieldError.js';
import { t } from '../lib/i18n.js';

/**
 * "Send to a friend": their name and e-mail, what happens said before it happens (a new code for
 * them, this one stops working, a table place that stays behind), then POST /tickets/:id/transfer.
 */
export function TransferForm({
  ticketId,
  token,
  tableNote,
  onDone,
  onCancel,
}: {
  ticketId: string;
  token: string;
  /** What becomes of the ticket's place at a table, in words; null when it has none. */
  tableNote: string | null;
  onDone: (sentTo: string) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [emailError, setEmailError] = useState<string | null>(null);
  const id = (field: string) => `transfer-${field}-${ticketId}`;

  const send = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setEmailError(null);
    try {
      await api(`/api/v1/tickets/${ticketId}/transfer`, {
        body: { name: name.trim(), email: email.trim() },
        token,
      });
      onDone(name.trim());
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_request' && 'email' in err.details)
        setEmailError(t('transfer.badEmail'));
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="stack transfer no-print" onSubmit={send} data-testid="transfer-form">
      <p class="small">{t('transfer.how')}</p>
      {tableNote && <p class="small banner info">{tableNote}</p>}
      <div class="field">
        <label for={id('name')}>{t('transfer.name')}</label>
        <input
          id={id('name')}
          class="input"
          maxLength={100}
          required
          autocomplete="off"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for={id('email')}>{t('transfer.email')}</label>
        <input
          id={id('email')}
          class="input"
          type="email"
          maxLength={320}
          required
          autocomplete="off"
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
          {...invalidProps(id('email-error'), emailError)}
        />
        <FieldError id={id('email-error')} error={emailError} />
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <div class="row">
        <button class="btn primary small" type="submit" disabled={busy}>
          {busy ? t('transfer.sending') : t('transfer.send')}
        </button>
        <button class="btn ghost small" type="button" onClick={onCancel}>
          {t('transfer.keep')}
        </button>
      </div>
    </form>
  );
}
