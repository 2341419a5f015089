import type { Translator } from '../i18n/translator.js';
import {
  button,
  esc,
  htmlMail,
  para,
  SMALL,
  venueLine,
  walletHtml,
  walletText,
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
  /** The language of the order it came from, and the event's time zone. */
  t: Translator;
  /** Content-ID of the attached QR image. */
  qrCid: string;
  /** The configured wallets' links for the ticket. */
  wallet: WalletLinks;
}

export function renderTransferMail(m: TransferMailInput): RenderedMail {
  const { t } = m;
  const date = t.dateTime(m.event.startsAt, 'full');
  const where = venueLine(m.event);
  const whereLine = where ? t.t('mail.where', { venue: where }) : null;
  const tableLine = m.table ? t.t('mail.transfer.table', { table: m.table.number, tier: m.table.tier }) : null;
  const subject = t.t('mail.transfer.subject', { from: m.fromName, event: m.event.name });
  const greeting = t.t('mail.greeting', { name: m.toName });
  const sent = t.t('mail.transfer.sent', { from: m.fromName, event: m.event.name, date });
  const text = [
    greeting,
    '',
    sent,
    ...(whereLine ? [whereLine] : []),
    ...(tableLine ? [tableLine] : []),
    '',
    t.t('mail.transfer.link', { url: m.ticketUrl }),
    ...walletText(t, m.wallet, { it: true }),
    t.t('mail.transfer.yours'),
  ].join('\n');
  const html = htmlMail(
    t,
    m.event.name,
    [
      para(greeting),
      para(sent),
      whereLine ? para(whereLine) : '',
      tableLine ? para(tableLine) : '',
      `<div style="display:inline-block;margin:8px;text-align:center;font:14px sans-serif"><img src="cid:${esc(m.qrCid)}" width="240" height="240" alt="${esc(t.t('mail.qrAlt', { name: m.toName }))}" style="display:block"><div><strong>${esc(m.toName)}</strong></div>${walletHtml(t, m.wallet)}</div>`,
      button(m.ticketUrl, t.t('mail.transfer.open')),
      para(t.t('mail.transfer.yoursMail'), SMALL),
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return { subject, text, html };
}

/** To whoever holds a transferred ticket that stopped admitting anyone: why, and that they paid nothing. */
export function renderVoidedMail(m: {
  event: TransferMailInput['event'];
  toName: string;
  fromName: string;
  cancelled: boolean;
  t: Translator;
}): RenderedMail {
  const { t } = m;
  const cancelled = m.cancelled ? 'yes' : 'no';
  const subject = t.t('mail.voided.subject', { cancelled, event: m.event.name });
  const greeting = t.t('mail.greeting', { name: m.toName });
  const body = t.t('mail.voided.body', {
    from: m.fromName,
    event: m.event.name,
    date: t.dateTime(m.event.startsAt, 'full'),
  });
  const why = t.t('mail.voided.why', { cancelled });
  const money = t.t('mail.voided.money');
  const text = [greeting, '', body, why, money].join('\n');
  const html = htmlMail(t, subject, [para(greeting), para(body), para(why), para(money, SMALL)].join('\n'));
  return { subject, text, html };
}
