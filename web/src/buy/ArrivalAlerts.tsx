import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorText, NetworkError } from '../lib/api.js';
import { isSubscribed, pushSupport, subscribe, unsubscribe } from '../lib/push.js';

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
        setNote({ ok: true, text: 'This phone will no longer be told when guests arrive.' });
      } else {
        const devices = await subscribe(reservationId, token);
        setOn(true);
        setNote({
          ok: true,
          text:
            devices > 1
              ? `On: this phone and ${devices - 1} more will be told as each guest arrives.`
              : 'On: this phone will be told as each guest arrives.',
        });
      }
    } catch (err) {
      setNote({ ok: false, text: problemText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="arrival-alerts stack no-print" data-testid="arrival-alerts">
      <h3>Arrivals</h3>
      {support === 'ok' && (
        <>
          <p class="muted small">
            Get a notification on this phone as each guest is let in, even with this page closed.
          </p>
          <button
            class={`btn ${on ? 'ghost' : 'primary'}`}
            type="button"
            onClick={() => void toggle()}
            disabled={busy || on === null}
            aria-pressed={on === true}
          >
            {on ? 'Stop telling me' : 'Tell me when my guests arrive'}
          </button>
        </>
      )}
      {support === 'denied' && (
        <p class="muted small">
          Notifications are blocked for this site. Allow them in your browser's settings to be told when guests arrive.
        </p>
      )}
      {support === 'needs-install' && (
        <p class="muted small">
          On iPhone, add this page to your home screen (Share, then Add to Home Screen) and open it from there to be
          told when guests arrive.
        </p>
      )}
      {support === 'unsupported' && (
        <p class="muted small">
          This browser cannot show notifications. Keep this page open: the guest list below updates as guests arrive.
        </p>
      )}
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
  if (err instanceof DOMException)
    return 'This browser could not turn notifications on. Try again, or keep this page open.';
  // Ours (permission not given) are already written for people.
  return err instanceof Error ? err.message : errorText(err);
}
