import type { Translator } from '../i18n/translator.js';
import { button, htmlMail, para, SMALL, venueLine, type OrderMailInput, type RenderedMail } from './order-mails.js';

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
  /** The offer's language and the event's time zone. */
  t: Translator;
}

export function renderOfferMail(m: OfferMailInput): RenderedMail {
  const { t } = m;
  const where = venueLine(m.event);
  const whereLine = where ? t.t('mail.where', { venue: where }) : null;
  const subject = t.t('mail.offer.subject', { count: m.quantity, event: m.event.name });
  const greeting = t.t('mail.greeting', { name: m.name });
  const next = t.t('mail.offer.next', { event: m.event.name, date: t.dateTime(m.event.startsAt, 'full') });
  const held = t.t('mail.offer.held', {
    count: m.quantity,
    amount: t.money(m.amountCents, m.currency),
    until: t.dateTime(m.heldUntil, 'medium'),
  });
  const notGoing = t.t('mail.offer.notGoing');
  const text = [
    greeting,
    '',
    next,
    ...(whereLine ? [whereLine] : []),
    held,
    t.t('mail.offer.pay', { url: m.payUrl }),
    '',
    notGoing,
  ].join('\n');
  const html = htmlMail(
    t,
    m.event.name,
    [
      para(greeting),
      para(next),
      whereLine ? para(whereLine) : '',
      para(held),
      button(m.payUrl, t.t('mail.offer.payButton')),
      para(notGoing, SMALL),
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return { subject, text, html };
}
