import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorText, NetworkError } from '../lib/api.js';
import { isSubscribed, pushSupport, subscribe, unsubscribe } from '../lib/push.js';
import { t } from '../lib/i18n.js';

/**
 * "Tell me when my guests arrive": the host's phone gets a notification as each guest is let in
 * (Web Push), even with this page closed. Where the browser cannot, it says what would work.
 */
export function ArrivalAlerts({ reservationId, token }: { reservationId: string; token: string }) {
  const [on, setOn] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const support = pushSupport();

  useEffect(() => {
    void isSubscribed(reservationId).then(setOn, () => setOn(false));
  }, [reservationId]);

  const toggle = async () => {
    setBusy(true);
    setNote(null);
    try {
      if (on) {
        await unsubscribe(reservationId, token);
        setOn(false);
        setNote({ ok: true, text: t('alerts.off') });
      } else {
        const devices = await subscribe(reservationId, token);
        setOn(true);
        setNote({ ok: true, text: t('alerts.on', { others: devices - 1 }) });
      }
    } catch (err) {
      setNote({ ok: false, text: problemText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="arrival-alerts stack no-print" data-testid="arrival-alerts">
      <h3>{t('alerts.title')}</h3>
      {support === 'ok' && (
        <>
          <p class="muted small">{t('alerts.how')}</p>
          <button
            class={`btn ${on ? 'ghost' : 'primary'}`}
            type="button"
            onClick={() => void toggle()}
            disabled={busy || on === null}
            aria-pressed={on === true}
          >
            {on ? t('alerts.stop') : t('alerts.start')}
          </button>
        </>
      )}
      {support === 'denied' && <p class="muted small">{t('alerts.denied')}</p>}
      {support === 'needs-install' && <p class="muted small">{t('alerts.install')}</p>}
      {support === 'unsupported' && <p class="muted small">{t('alerts.unsupported')}</p>}
      {note && (
        <p class={note.ok ? 'banner info' : 'form-error'} role={note.ok ? 'status' : 'alert'}>
          {note.text}
        </p>
      )}
    </div>
  );
}

function problemText(err: unknown): string {
  if (err instanceof ApiError || err instanceof NetworkError) return errorText(err);
  // The browser's own refusal (no push service reachable, the key refused): not in words for people.
  if (err instanceof DOMException) return t('alerts.failed');
  // Ours (permission not given) are already written for people.
  return err instanceof Error ? err.message : errorText(err);
}
