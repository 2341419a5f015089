import { useEffect } from 'preact/hooks';
import { repeatText, type DoorResult } from './result.js';
import { clockTimeSeconds } from '../lib/format.js';

type Tone = 'admitted' | 'reentry' | 'warning' | 'rejected';

const toneOf = (r: DoorResult): Tone =>
  r.repeat ? 'warning' : r.result === 'rejected' ? 'rejected' : r.warning ? 'warning' : r.result === 'reentry' ? 'reentry' : 'admitted';

const HEADLINE: Record<Tone, string> = { admitted: 'ADMITTED', reentry: 'RE-ENTRY', warning: 'CHECK', rejected: 'REJECTED' };
const headline = (r: DoorResult) => (r.repeat ? 'SAME CODE' : HEADLINE[toneOf(r)]);

/** The line under the name: why it was refused, what to check, or that this is the same code again. */
function detail(r: DoorResult): string | null {
  if (r.repeat) return repeatText(r);
  if (r.result === 'rejected') return r.message;
  return r.warning;
}

/** "VIP — Table 7 · Gold", "Guest of Table 7", or just the holder's name. */
function Who({ r }: { r: DoorResult }) {
  const vip = r.vip;
  if (vip?.role === 'host') {
    return (
      <p class="who vip">
        VIP — Table {vip.table_number} · {vip.tier}
      </p>
    );
  }
  if (vip?.role === 'guest') {
    return (
      <p class="who vip">
        Guest of Table {vip.table_number} <span class="of">({vip.host_name || 'host'})</span>
      </p>
    );
  }
  return null;
}

function GuestList({ r }: { r: DoorResult }) {
  if (r.vip?.role !== 'host') return null;
  const arrived = r.vip.guests.filter((g) => g.arrived).length;
  return (
    <div class="guests">
      <p class="guests-title">{r.vip.guests.length ? `Guests: ${arrived} of ${r.vip.guests.length} arrived` : 'No guests on the list yet'}</p>
      {r.vip.guests.length > 0 && (
        <ul class="guest-list">
          {r.vip.guests.map((g, i) => (
            <li key={i} class={g.arrived ? 'in' : ''}>
              <span aria-hidden="true">{g.arrived ? '✓' : '○'}</span> {g.name || 'unnamed guest'}
              <span class="visually-hidden">{g.arrived ? ', arrived' : ', not yet'}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
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
    <div class={`result-banner ${tone}`} onClick={onDismiss} data-result={result.result} data-testid="result-banner">
      <p class="headline">{headline(result)}</p>
      <Who r={result} />
      {result.ticket && <p class="holder">{result.ticket.holderName || 'No name on ticket'}</p>}
      {detail(result) && <p class="reason">{detail(result)}</p>}
      <GuestList r={result} />
      {result.provisional && <p class="provisional">Provisional — decided offline on this device</p>}
      <button class="btn banner-close" type="button" onClick={onDismiss}>
        Close
      </button>
    </div>
  );
}

/** The last result stays on screen, smaller, so the guest list can be read after the banner. */
export function LastResult({ result }: { result: DoorResult }) {
  const tone = toneOf(result);
  return (
    <section class={`card last-result ${tone}`} aria-label="Last scan" data-testid="last-result" data-result={result.result} data-id={result.id}>
      <div class="row">
        <strong class="last-headline">{headline(result)}</strong>
        <span class="spacer" />
        {result.provisional && <span class="pill warn">provisional</span>}
        <span class="faint small">{clockTimeSeconds(result.at)}</span>
      </div>
      <Who r={result} />
      {result.ticket && <p class="holder">{result.ticket.holderName || 'No name on ticket'}</p>}
      {result.repeat ? (
        <p class="warning-text">{repeatText(result)}</p>
      ) : (
        (result.warning || !result.vip) && <p class={result.warning ? 'warning-text' : 'muted'}>{result.warning ?? result.message}</p>
      )}
      <GuestList r={result} />
    </section>
  );
}
