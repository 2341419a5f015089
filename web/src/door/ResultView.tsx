import { useEffect, useState } from 'preact/hooks';
import { repeatWords, type DoorResult } from './result.js';
import { clockTimeSeconds } from '../lib/format.js';
import { say, t, text, type MessageKey } from '../lib/i18n.js';

type Tone = 'admitted' | 'reentry' | 'warning' | 'rejected';

const toneOf = (r: DoorResult): Tone =>
  r.repeat
    ? 'warning'
    : r.result === 'rejected'
      ? 'rejected'
      : r.warning
        ? 'warning'
        : r.result === 'reentry'
          ? 'reentry'
          : 'admitted';

const HEADLINE: Record<Tone, MessageKey> = {
  admitted: 'door.result.admitted',
  reentry: 'door.result.reentry',
  warning: 'door.result.check',
  rejected: 'door.result.rejected',
};
const headline = (r: DoorResult) => t(r.repeat ? 'door.result.sameCode' : HEADLINE[toneOf(r)]);

/** The line under the name: why it was refused, what to check, or that this is the same code again. */
function detail(r: DoorResult): string | null {
  if (r.repeat) return say(repeatWords(r));
  if (r.result === 'rejected') return text(r.message);
  return r.warning && say(r.warning);
}

/** "VIP — Table 7 · Gold", "Guest of Table 7", or just the holder's name. */
function Who({ r }: { r: DoorResult }) {
  const vip = r.vip;
  if (vip?.role === 'host') {
    return <p class="who vip">{t('door.result.vipHost', { table: vip.table_number, tier: vip.tier })}</p>;
  }
  if (vip?.role === 'guest') {
    return (
      <p class="who vip">
        {t('door.result.vipGuest', { table: vip.table_number })}{' '}
        <span class="of">({vip.host_name || t('door.result.host')})</span>
      </p>
    );
  }
  return null;
}

/** Lets in a guest of the host's table by ticket; resolves to their own result. */
export type AdmitGuest = (ticketId: string) => Promise<DoorResult | null>;

/**
 * The host's table: who is on the list and who is in. With `onAdmit` (the card that stays on
 * screen), each guest not yet in has a button: staff let in the guests standing with the host,
 * one tap each, each recorded as that guest's own (manual) admission.
 */
function GuestList({ r, onAdmit }: { r: DoorResult; onAdmit?: AdmitGuest | undefined }) {
  const [refused, setRefused] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  if (r.vip?.role !== 'host') return null;
  const arrived = r.vip.guests.filter((g) => g.arrived).length;
  const admit = async (ticketId: string) => {
    if (!onAdmit) return;
    setBusy(ticketId);
    try {
      const got = await onAdmit(ticketId);
      if (got?.result === 'rejected') setRefused((m) => ({ ...m, [ticketId]: text(got.message) }));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="guests">
      <p class="guests-title" data-testid="table-arrivals">
        {r.vip.guests.length
          ? t('door.result.guests', { arrived, total: r.vip.guests.length })
          : t('door.result.noGuests')}
      </p>
      {r.vip.guests.length > 0 && (
        <ul class="guest-list">
          {r.vip.guests.map((g, i) => (
            <li key={g.ticket_id ?? i} class={g.arrived ? 'in' : ''}>
              <span aria-hidden="true">{g.arrived ? '✓' : '○'}</span>{' '}
              <span class="guest-name">{g.name || t('door.result.unnamedGuest')}</span>
              <span class="visually-hidden">{t(g.arrived ? 'door.result.arrived' : 'door.result.notYet')}</span>
              {onAdmit && !g.arrived && g.ticket_id && (
                <button
                  class="btn small admit-guest"
                  type="button"
                  disabled={busy !== null}
                  onClick={() => void admit(g.ticket_id!)}
                  aria-label={t('door.result.letInName', { name: g.name || t('door.result.thisGuest') })}
                >
                  {busy === g.ticket_id ? '…' : t('door.result.letIn')}
                </button>
              )}
              {g.ticket_id && refused[g.ticket_id] && !g.arrived && (
                <span class="guest-refused" role="alert">
                  {refused[g.ticket_id]}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Unmissable on every admission to an event with a minimum age. */
function IdCheck({ r }: { r: DoorResult }) {
  if (!r.idCheck || r.result === 'rejected' || r.repeat) return null;
  return (
    <p class="id-check" data-testid="id-check">
      {t('door.result.idCheck', { age: r.idCheck })}
    </p>
  );
}

/**
 * The whole screen, for a couple of seconds: readable at arm's length in a dark room. A tap
 * anywhere closes it early; for keyboards there is a real button (and Escape).
 */
export function ResultBanner({ result, onDismiss }: { result: DoorResult; onDismiss: () => void }) {
  const tone = toneOf(result);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onDismiss();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onDismiss]);
  return (
    // The tap anywhere is a shortcut; keyboards have the Close button and Escape.
    <div
      role="presentation"
      class={`result-banner ${tone}`}
      onClick={onDismiss}
      data-result={result.result}
      data-testid="result-banner"
    >
      <p class="headline">{headline(result)}</p>
      <IdCheck r={result} />
      <Who r={result} />
      {result.ticket && <p class="holder">{result.ticket.holderName || t('door.result.noName')}</p>}
      {detail(result) && <p class="reason">{detail(result)}</p>}
      <GuestList r={result} />
      {result.provisional && <p class="provisional">{t('door.result.provisional')}</p>}
      <button class="btn banner-close" type="button" onClick={onDismiss}>
        {t('common.close')}
      </button>
    </div>
  );
}

/** The last result stays on screen, smaller, so the guest list can be read after the banner. */
export function LastResult({ result, onAdmit }: { result: DoorResult; onAdmit?: AdmitGuest }) {
  const tone = toneOf(result);
  return (
    <section
      class={`card last-result ${tone}`}
      aria-label={t('door.result.last')}
      data-testid="last-result"
      data-result={result.result}
      data-id={result.id}
    >
      <div class="row">
        <strong class="last-headline">{headline(result)}</strong>
        <span class="spacer" />
        {result.provisional && <span class="pill warn">{t('door.result.provisionalPill')}</span>}
        <span class="faint small">{clockTimeSeconds(result.at)}</span>
      </div>
      <IdCheck r={result} />
      <Who r={result} />
      {result.ticket && <p class="holder">{result.ticket.holderName || t('door.result.noName')}</p>}
      {result.repeat ? (
        <p class="warning-text">{say(repeatWords(result))}</p>
      ) : (
        (result.warning || !result.vip) && (
          <p class={result.warning ? 'warning-text' : 'muted'}>
            {result.warning ? say(result.warning) : text(result.message)}
          </p>
        )
      )}
      <GuestList r={result} onAdmit={onAdmit} />
    </section>
  );
}
