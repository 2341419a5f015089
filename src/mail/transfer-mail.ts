import {
  esc,
  venueLine,
  walletHtml,
  walletText,
  when,
  type OrderMailInput,
  type RenderedMail,
  type WalletLinks,
} from './order-mails.js';

/** The mail to whoever a ticket was transferred to: their ticket, their own link, their code. */
export interface TransferMailInput {
  event: Pick<OrderMailInput['event'], 'name' | 'startsAt' | 'venueName' | 'venueAddress'>;
  fromName: string;
  toName: string;
  /** The ticket page with the new holder's capability in the fragment. */
  ticketUrl: string;
  /** The place at a table that came with the ticket, if any. */
  table: { number: number; tier: string } | null;
  timeZone: string;
  /** Content-ID of the attached QR image. */
  qrCid: string;
  /** The configured wallets' links for the ticket. */
  wallet: WalletLinks;
}

export function renderTransferMail(m: TransferMailInput): RenderedMail {
  const date = when(m.event.startsAt, m.timeZone);
  const where = venueLine(m.event);
  const tableLine = m.table
    ? `Your place as a guest at table ${m.table.number} (${m.table.tier}) comes with it.`
    : null;
  const subject = `${m.fromName} sent you a ticket for ${m.event.name}`;
  const text = [
    `Hi ${m.toName},`,
    '',
    `${m.fromName} sent you their ticket for ${m.event.name}, ${date}.`,
    ...(where ? [`Where: ${where}`] : []),
    ...(tableLine ? [tableLine] : []),
    '',
    `Your ticket and its QR code, any time: ${m.ticketUrl}`,
    ...walletText(m.wallet, 'it '),
    'The code in this mail is yours alone: the one it replaces no longer opens the door. Keep this link to yourself.',
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif;color:#111;max-width:640px">
<h1 style="font-size:22px">${esc(m.event.name)}</h1>
<p>Hi ${esc(m.toName)},</p>
<p>${esc(m.fromName)} sent you their ticket for <strong>${esc(m.event.name)}</strong>, ${esc(date)}.</p>
${where ? `<p>Where: ${esc(where)}</p>` : ''}
${tableLine ? `<p>${esc(tableLine)}</p>` : ''}
<div style="display:inline-block;margin:8px;text-align:center;font:14px sans-serif"><img src="cid:${esc(m.qrCid)}" width="240" height="240" alt="QR code for ${esc(m.toName)}" style="display:block"><div><strong>${esc(m.toName)}</strong></div>${walletHtml(m.wallet)}</div>
<p><a href="${esc(m.ticketUrl)}" style="display:inline-block;padding:10px 16px;background:#111;color:#fff;text-decoration:none;border-radius:8px">Open your ticket</a></p>
<p style="color:#555;font-size:13px">The code in this mail is yours alone: the one it replaces no longer opens the door. Keep this mail to yourself.</p>
</body></html>`;
  return { subject, text, html };
}

/** To whoever holds a transferred ticket that stopped admitting anyone: why, and that they paid nothing. */
export function renderVoidedMail(m: {
  event: TransferMailInput['event'];
  toName: string;
  fromName: string;
  cancelled: boolean;
  timeZone: string;
}): RenderedMail {
  const why = m.cancelled ? 'The organiser cancelled the event.' : 'The organiser refunded the order it came from.';
  const subject = m.cancelled
    ? `Cancelled: ${m.event.name}`
    : `Your ticket for ${m.event.name} no longer admits anyone`;
  const text = [
    `Hi ${m.toName},`,
    '',
    `The ticket ${m.fromName} sent you for ${m.event.name}, ${when(m.event.startsAt, m.timeZone)}, no longer admits anyone.`,
    why,
    'The money goes back to whoever paid for the ticket, not to you.',
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif;color:#111;max-width:640px">
<h1 style="font-size:22px">${esc(subject)}</h1>
<p>Hi ${esc(m.toName)},</p>
<p>The ticket ${esc(m.fromName)} sent you for <strong>${esc(m.event.name)}</strong>, ${esc(when(m.event.startsAt, m.timeZone))}, no longer admits anyone.</p>
<p>${esc(why)}</p>
<p style="color:#555;font-size:13px">The money goes back to whoever paid for the ticket, not to you.</p>
</body></html>`;
  return { subject, text, html };
}
