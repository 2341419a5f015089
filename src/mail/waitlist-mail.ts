import { formatMoney } from '../domain/money.js';
import { esc, venueLine, when, type OrderMailInput, type RenderedMail } from './order-mails.js';

/** The offer to the next person on a waitlist: places held for them alone, until when, and where to pay. */
export interface OfferMailInput {
  event: Pick<OrderMailInput['event'], 'name' | 'startsAt' | 'venueName' | 'venueAddress'>;
  name: string;
  quantity: number;
  amountCents: number;
  currency: string;
  heldUntil: Date;
  /** The order page with the capability in the fragment: paying there buys the places. */
  payUrl: string;
  timeZone: string;
}

export function renderOfferMail(m: OfferMailInput): RenderedMail {
  const places = m.quantity === 1 ? '1 ticket' : `${m.quantity} tickets`;
  const until = new Intl.DateTimeFormat('en-GB', {
    timeStyle: 'short',
    dateStyle: 'medium',
    timeZone: m.timeZone,
  }).format(m.heldUntil);
  const where = venueLine(m.event);
  const subject = `Places came free: ${places} for ${m.event.name}, held for you`;
  const lines = [
    `Hi ${m.name},`,
    '',
    `You were next on the waitlist for ${m.event.name}, ${when(m.event.startsAt, m.timeZone)}.`,
    ...(where ? [`Where: ${where}`] : []),
    `${places} (${formatMoney(m.amountCents, m.currency)}) are held for you alone until ${until}.`,
    `Pay for them here: ${m.payUrl}`,
    '',
    'Not going after all? Do nothing: after that time the places go to the next person waiting.',
  ];
  const html = `<!doctype html><html><body style="font-family:sans-serif;color:#111;max-width:640px">
<h1 style="font-size:22px">${esc(m.event.name)}</h1>
<p>Hi ${esc(m.name)},</p>
<p>You were next on the waitlist for <strong>${esc(m.event.name)}</strong>, ${esc(when(m.event.startsAt, m.timeZone))}.</p>
${where ? `<p>Where: ${esc(where)}</p>` : ''}
<p><strong>${esc(places)}</strong> (${esc(formatMoney(m.amountCents, m.currency))}) are held for you alone until <strong>${esc(until)}</strong>.</p>
<p><a href="${esc(m.payUrl)}" style="display:inline-block;padding:10px 16px;background:#111;color:#fff;text-decoration:none;border-radius:8px">Pay for your tickets</a></p>
<p style="color:#555;font-size:13px">Not going after all? Do nothing: after that time the places go to the next person waiting.</p>
</body></html>`;
  return { subject, text: lines.join('\n'), html };
}
