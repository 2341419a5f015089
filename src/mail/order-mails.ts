import { formatMoney } from '../domain/money.js';
import type { OrderView } from '../services/orders/order-view.service.js';

/** What a buyer's mail says; rendered from the order as it is when the mail is sent. */
export interface OrderMailInput {
  kind: 'order_paid' | 'order_refunded';
  event: { name: string; startsAt: Date; endsAt: Date; status: string; venueName: string; venueAddress: string };
  order: OrderView;
  buyerName: string;
  /** The order page with its capability in the fragment (never sent to a server by a browser). */
  manageUrl: string;
  timeZone: string;
  /** Content-ID of each ticket's QR image attached to the mail, by ticket id. */
  qrCids: Map<string, string>;
  /** Each ticket's wallet links, by ticket id (only the configured wallets). */
  walletLinks?: Map<string, WalletLinks>;
}

/** "Add to Apple Wallet" and "Save to Google Wallet" for one ticket: each present only when configured. */
export interface WalletLinks {
  apple?: string;
  google?: string;
}

/** The wallet links as mail text lines ('' per missing wallet dropped). */
export const walletText = (w: WalletLinks | undefined, whose = '') =>
  [
    w?.apple ? `Add ${whose}to Apple Wallet: ${w.apple}` : '',
    w?.google ? `Save ${whose}to Google Wallet: ${w.google}` : '',
  ].filter(Boolean);

/** The wallet links as small HTML links under a ticket's QR code. */
export const walletHtml = (w: WalletLinks | undefined) =>
  [
    w?.apple ? `<a href="${esc(w.apple)}">Add to Apple Wallet</a>` : '',
    w?.google ? `<a href="${esc(w.google)}">Save to Google Wallet</a>` : '',
  ]
    .filter(Boolean)
    .map((a) => `<div style="margin-top:4px">${a}</div>`)
    .join('');

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function when(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone }).format(d);
}

const REFUND_WHY: Record<string, string> = {
  event_cancelled: 'The organiser cancelled the event.',
  late_payment:
    'Your payment arrived after the hold on your order had lapsed and the tickets were no longer available.',
  owner_refund: 'The organiser refunded your order.',
};

/** "The Vault, Köpenicker Str. 70, Berlin", or what of it the owner gave. */
export const venueLine = (e: Pick<OrderMailInput['event'], 'venueName' | 'venueAddress'>) =>
  [e.venueName, e.venueAddress].filter(Boolean).join(', ');

export function renderOrderMail(m: OrderMailInput): RenderedMail {
  return m.kind === 'order_paid' ? renderPaid(m) : renderRefunded(m);
}

function renderPaid(m: OrderMailInput): RenderedMail {
  const { order, event } = m;
  const r = order.reservation;
  // The host's own ticket first: it is the one that opens the table.
  const tickets = order.tickets.filter((t) => t.qr).sort((a, b) => Number(b.is_host) - Number(a.is_host));
  const subject = r ? `Your table ${r.table_number} at ${event.name}` : `Your tickets for ${event.name}`;
  const date = when(event.startsAt, m.timeZone);
  const where = venueLine(event);
  const text = [
    `Hi ${m.buyerName},`,
    '',
    `You are going to ${event.name}, ${date}.`,
    ...(where ? [`Where: ${where}`] : []),
    `Paid: ${formatMoney(order.amount_cents, order.currency)}. ${tickets.length} ${tickets.length === 1 ? 'ticket' : 'tickets'}; each QR code below lets one person in.`,
    ...(r
      ? [
          '',
          `Table ${r.table_number} (${r.tier}, up to ${r.capacity} people). Your ticket is your table's key: one scan at the door lets you in and opens your table.`,
          `Invite your guests: ${r.invite_url} (code ${r.invite_code}). Each guest links their own GA ticket; you can remove guests until the event starts.`,
        ]
      : []),
    '',
    ...tickets.flatMap((t) =>
      walletText(m.walletLinks?.get(t.id), tickets.length > 1 ? `${t.holder_name}'s ticket ` : 'your ticket '),
    ),
    `Your order, your QR codes and your guest list, any time: ${m.manageUrl}`,
    'Keep this link to yourself: it opens your order.',
    '',
    'All sales are final; if the organiser cancels the event you are refunded in full automatically.',
  ].join('\n');
  const qrBlocks = tickets
    .map((t) => {
      const cid = m.qrCids.get(t.id);
      const role = t.is_host
        ? `Host of table ${r?.table_number ?? ''}`
        : t.linked_reservation_id
          ? 'Guest at a table'
          : 'GA';
      return `<div style="display:inline-block;margin:8px;text-align:center;font:14px sans-serif">${
        cid
          ? `<img src="cid:${cid}" width="240" height="240" alt="QR code for ${esc(t.holder_name)}" style="display:block">`
          : ''
      }<div><strong>${esc(t.holder_name)}</strong></div><div style="color:#555">${role}</div>${walletHtml(m.walletLinks?.get(t.id))}</div>`;
    })
    .join('');
  const html = `<!doctype html><html><body style="font-family:sans-serif;color:#111;max-width:640px">
<h1 style="font-size:22px">${esc(event.name)}</h1>
<p>Hi ${esc(m.buyerName)},</p>
<p>You are going to <strong>${esc(event.name)}</strong>, ${esc(date)}.</p>
${where ? `<p>Where: ${esc(where)}</p>` : ''}
<p>Paid: ${esc(formatMoney(order.amount_cents, order.currency))}. Each QR code lets one person in.</p>
${
  r
    ? `<p><strong>Table ${r.table_number}</strong> (${esc(r.tier)}, up to ${r.capacity} people). Your ticket is your table's key: one scan at the door lets you in and opens your table.</p>
<p>Invite your guests: <a href="${esc(r.invite_url)}">${esc(r.invite_url)}</a> (code <strong>${esc(r.invite_code)}</strong>).</p>`
    : ''
}
<div>${qrBlocks}</div>
<p><a href="${esc(m.manageUrl)}" style="display:inline-block;padding:10px 16px;background:#111;color:#fff;text-decoration:none;border-radius:8px">Open your order</a></p>
<p style="color:#555;font-size:13px">Keep this mail to yourself: its link opens your order. All sales are final; if the organiser cancels the event you are refunded in full automatically.</p>
</body></html>`;
  return { subject, text, html };
}

function renderRefunded(m: OrderMailInput): RenderedMail {
  const { order, event } = m;
  const amount = formatMoney(order.refund?.amount_cents ?? order.refunded_cents, order.currency);
  const why = REFUND_WHY[order.refund?.reason ?? order.refund_reason ?? ''] ?? 'Your order was refunded.';
  const subject = `Refunded: ${event.name}`;
  const text = [
    `Hi ${m.buyerName},`,
    '',
    why,
    `We refunded ${amount} to the card you paid with; your bank shows it within a few days.`,
    'Your tickets no longer admit anyone.',
    '',
    `Your order: ${m.manageUrl}`,
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif;color:#111;max-width:640px">
<h1 style="font-size:22px">Refunded: ${esc(event.name)}</h1>
<p>Hi ${esc(m.buyerName)},</p>
<p>${esc(why)}</p>
<p>We refunded <strong>${esc(amount)}</strong> to the card you paid with; your bank shows it within a few days. Your tickets no longer admit anyone.</p>
<p><a href="${esc(m.manageUrl)}">Your order</a></p>
</body></html>`;
  return { subject, text, html };
}
