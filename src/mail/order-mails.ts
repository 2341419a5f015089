import type { Translator } from '../i18n/translator.js';
import type { OrderView } from '../services/orders/order-view.service.js';

/** What a buyer's mail says; rendered from the order as it is when the mail is sent. */
export interface OrderMailInput {
  kind: 'order_paid' | 'order_refunded';
  event: { name: string; startsAt: Date; endsAt: Date; status: string; venueName: string; venueAddress: string };
  order: OrderView;
  buyerName: string;
  /** The order page with its capability in the fragment (never sent to a server by a browser). */
  manageUrl: string;
  /** The order's language and the event's time zone: every word, date and amount of the mail. */
  t: Translator;
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

/** Whose ticket a wallet line is about: the reader's own, someone's by name, or the one the mail is about. */
export type WalletWhose = { yours: true } | { name: string } | { it: true };

/** The wallet links as mail text lines (only the configured wallets). */
export function walletText(t: Translator, w: WalletLinks | undefined, whose: WalletWhose): string[] {
  const line = (wallet: 'apple' | 'google', url: string) =>
    'yours' in whose
      ? t.t(`mail.wallet.${wallet}Yours`, { url })
      : 'name' in whose
        ? t.t(`mail.wallet.${wallet}Of`, { url, name: whose.name })
        : t.t(`mail.wallet.${wallet}It`, { url });
  return [w?.apple ? line('apple', w.apple) : '', w?.google ? line('google', w.google) : ''].filter(Boolean);
}

/** The wallet links as small HTML links under a ticket's QR code. */
export const walletHtml = (t: Translator, w: WalletLinks | undefined) =>
  [
    w?.apple ? `<a href="${esc(w.apple)}">${esc(t.t('mail.wallet.apple'))}</a>` : '',
    w?.google ? `<a href="${esc(w.google)}">${esc(t.t('mail.wallet.google'))}</a>` : '',
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

/** A paragraph of the HTML part: the sentence as the text part says it, escaped. */
export const para = (sentence: string, style = '') => `<p${style ? ` style="${style}"` : ''}>${esc(sentence)}</p>`;

/**
 * A paragraph whose sentence names a link: worded with a marker where the link goes, escaped, and
 * the marker replaced by the link (so the translation decides where in the sentence it stands).
 */
export function paraLinking(sentence: (link: string) => string, href: string): string {
  const marker = '\u0000';
  return `<p>${esc(sentence(marker)).replace(marker, `<a href="${esc(href)}">${esc(href)}</a>`)}</p>`;
}

/** The mail's one button. */
export const button = (href: string, label: string) =>
  `<p><a href="${esc(href)}" style="display:inline-block;padding:10px 16px;background:#111;color:#fff;text-decoration:none;border-radius:8px">${esc(label)}</a></p>`;

export const SMALL = 'color:#555;font-size:13px';

/** The HTML part around its body, in the mail's language. */
export const htmlMail = (t: Translator, heading: string, body: string) =>
  `<!doctype html><html lang="${t.locale}"><body style="font-family:sans-serif;color:#111;max-width:640px">
<h1 style="font-size:22px">${esc(heading)}</h1>
${body}
</body></html>`;

/** "The Vault, Köpenicker Str. 70, Berlin", or what of it the owner gave. */
export const venueLine = (e: Pick<OrderMailInput['event'], 'venueName' | 'venueAddress'>) =>
  [e.venueName, e.venueAddress].filter(Boolean).join(', ');

export function renderOrderMail(m: OrderMailInput): RenderedMail {
  return m.kind === 'order_paid' ? renderPaid(m) : renderRefunded(m);
}

function renderPaid(m: OrderMailInput): RenderedMail {
  const { order, event, t } = m;
  const r = order.reservation;
  // The host's own ticket first: it is the one that opens the table.
  const tickets = order.tickets.filter((x) => x.qr).sort((a, b) => Number(b.is_host) - Number(a.is_host));
  const subject = r
    ? t.t('mail.paid.subjectTable', { table: r.table_number, event: event.name })
    : t.t('mail.paid.subject', { event: event.name });
  const date = t.dateTime(event.startsAt, 'full');
  const where = venueLine(event);
  const amount = t.money(order.amount_cents, order.currency);
  const greeting = t.t('mail.greeting', { name: m.buyerName });
  const going = t.t('mail.paid.going', { event: event.name, date });
  const whereLine = where ? t.t('mail.where', { venue: where }) : null;
  const tableLine = r ? t.t('mail.paid.table', { table: r.table_number, tier: r.tier, capacity: r.capacity }) : null;
  const text = [
    greeting,
    '',
    going,
    ...(whereLine ? [whereLine] : []),
    t.t('mail.paid.paid', { amount, count: tickets.length }),
    ...(r && tableLine ? ['', tableLine, t.t('mail.paid.invite', { url: r.invite_url, code: r.invite_code })] : []),
    '',
    ...tickets.flatMap((x) =>
      walletText(t, m.walletLinks?.get(x.id), tickets.length > 1 ? { name: x.holder_name } : { yours: true }),
    ),
    t.t('mail.paid.manage', { url: m.manageUrl }),
    t.t('mail.paid.private'),
    '',
    t.t('mail.paid.final'),
  ].join('\n');
  const qrBlocks = tickets
    .map((x) => {
      const cid = m.qrCids.get(x.id);
      const role = x.is_host
        ? t.t('mail.ticket.host', { table: r?.table_number ?? '' })
        : x.linked_reservation_id
          ? t.t('mail.ticket.guest')
          : t.t('mail.ticket.ga');
      return `<div style="display:inline-block;margin:8px;text-align:center;font:14px sans-serif">${
        cid
          ? `<img src="cid:${cid}" width="240" height="240" alt="${esc(t.t('mail.qrAlt', { name: x.holder_name }))}" style="display:block">`
          : ''
      }<div><strong>${esc(x.holder_name)}</strong></div><div style="color:#555">${esc(role)}</div>${walletHtml(t, m.walletLinks?.get(x.id))}</div>`;
    })
    .join('');
  const html = htmlMail(
    t,
    event.name,
    [
      para(greeting),
      para(going),
      whereLine ? para(whereLine) : '',
      para(t.t('mail.paid.paidShort', { amount })),
      r && tableLine
        ? para(tableLine) +
          paraLinking((url) => t.t('mail.paid.inviteShort', { url, code: r.invite_code }), r.invite_url)
        : '',
      `<div>${qrBlocks}</div>`,
      button(m.manageUrl, t.t('mail.paid.open')),
      para(`${t.t('mail.paid.privateMail')} ${t.t('mail.paid.final')}`, SMALL),
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return { subject, text, html };
}

function renderRefunded(m: OrderMailInput): RenderedMail {
  const { order, event, t } = m;
  const amount = t.money(order.refund?.amount_cents ?? order.refunded_cents, order.currency);
  const why = t.t('mail.refunded.why', { reason: order.refund?.reason ?? order.refund_reason ?? 'other' });
  const subject = t.t('mail.refunded.subject', { event: event.name });
  const greeting = t.t('mail.greeting', { name: m.buyerName });
  const refunded = t.t('mail.refunded.amount', { amount });
  const text = [
    greeting,
    '',
    why,
    refunded,
    t.t('mail.refunded.void'),
    '',
    t.t('mail.refunded.order', { url: m.manageUrl }),
  ].join('\n');
  const html = htmlMail(
    t,
    subject,
    [
      para(greeting),
      para(why),
      para(`${refunded} ${t.t('mail.refunded.void')}`),
      `<p><a href="${esc(m.manageUrl)}">${esc(t.t('mail.refunded.orderLink'))}</a></p>`,
    ].join('\n'),
  );
  return { subject, text, html };
}
