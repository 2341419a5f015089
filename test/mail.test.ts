import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import jsQRModule from 'jsqr';
import { simpleParser } from 'mailparser';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { claimDueMails } from '../src/db/repos/mails.repo.js';
import { createMailTransport, type MailTransport } from '../src/mail/transport.js';
import { TokenBucket } from '../src/services/jobs/token-bucket.js';
import { processDueMails } from '../src/services/mail/mail-worker.service.js';
import { bearer, createEvent, payOrder, placeOrder, startTestApp, type TestContext } from './support/harness.js';
import { startTestSmtp, type TestSmtp } from './support/smtp.js';
import { drainRefunds } from './support/stripe-flow.js';

const jsQR = jsQRModule.default;

let ctx: TestContext;
let smtp: TestSmtp;
let transport: MailTransport;

beforeAll(async () => {
  ctx = await startTestApp();
  smtp = await startTestSmtp();
  transport = createMailTransport({
    mail: { smtpUrl: smtp.url, from: 'Velvet <tickets@velvet.test>', dir: '/nonexistent' },
  });
});
afterAll(async () => {
  transport.close();
  await smtp.close();
  await ctx.close();
});

/** Sends every due mail, as the worker would, until none is left; returns how many were claimed. */
async function drainMails(t: MailTransport = transport): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await processDueMails(ctx.deps, { transport: t, timeZone: 'Europe/Berlin' });
    if (n === 0) return total;
    total += n;
  }
}

const mailRows = (orderId: string) =>
  queryRows<{ kind: string; status: string; attempts: number; last_error: string | null }>(
    ctx.database.db,
    sql`SELECT kind, status, attempts, last_error FROM mails WHERE order_id = ${orderId} ORDER BY kind`,
  );

const mailsTo = (email: string) => smtp.received.filter((m) => m.to && !Array.isArray(m.to) && m.to.text === email);

function decodeQr(png: Buffer): string | null {
  const img = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data ?? null;
}

describe('order mail', () => {
  it('a paid table order mails the buyer once: a link that opens the order, a QR image per ticket that scans to its code, the invite link', async () => {
    const event = await createEvent(ctx, { venue_name: 'The Vault', venue_address: 'Köpenicker Str. 70, Berlin' });
    const order = await placeOrder(ctx, event.id, {
      email: 'host@mail.test',
      name: 'Hanna Host',
      ga_quantity: 2,
      table_id: event.tables[0]!.id,
    });
    await payOrder(ctx, order);
    // Paying again (a webhook delivered twice) changes nothing, and mails nothing twice.
    await payOrder(ctx, order);
    expect(await drainMails()).toBe(1);
    expect(await drainMails()).toBe(0);
    const [mail] = mailsTo('host@mail.test');
    expect(mailsTo('host@mail.test')).toHaveLength(1);
    expect(mail!.subject).toBe('Your table 1 at Friday Night');
    expect(mail!.messageId).toBe(`<order_paid.${order.order_id}@velvet.mail>`);
    // A greeting of its own, then sentences that begin as sentences do.
    expect(mail!.text).toMatch(/^Hi Hanna Host,\n\nYou are going to Friday Night, /);
    expect(mail!.text).toContain('\nWhere: The Vault, Köpenicker Str. 70, Berlin\n');
    expect(mail!.html).toContain('<p>Where: The Vault, Köpenicker Str. 70, Berlin</p>');
    for (const line of mail!.text!.split('\n').filter(Boolean)) expect(line[0], line).toMatch(/[A-Z0-9€]/);

    const view = (
      await ctx.app.inject({ url: `/api/v1/orders/${order.order_id}`, headers: bearer(order.manage_token) })
    ).json();
    // The link in the mail is the order page with the buyer's capability in the fragment, and it works.
    const link = mail!.text!.match(/http:\/\/velvet\.test\/orders\/([0-9a-f-]+)#token=([A-Za-z0-9_-]+)/);
    expect(link?.[1]).toBe(order.order_id);
    expect(link?.[2]).toBe(order.manage_token);
    expect(mail!.html).toContain(`href="http://velvet.test/orders/${order.order_id}#token=${order.manage_token}"`);
    expect(mail!.text).toContain(view.reservation.invite_url);
    expect(view.reservation.invite_url).toBe(`http://velvet.test/i/${view.reservation.invite_code}`);

    const pngs = mail!.attachments.filter((a) => a.contentType === 'image/png');
    expect(pngs).toHaveLength(2);
    for (const png of pngs) expect(mail!.html).toContain(`cid:${png.cid}`);
    expect(pngs.map((p) => decodeQr(p.content)).sort()).toEqual(view.tickets.map((t: { qr: string }) => t.qr).sort());
    expect(await mailRows(order.order_id)).toEqual([
      { kind: 'order_paid', status: 'sent', attempts: 1, last_error: null },
    ]);
  });

  it('an unpaid order mails nothing; a free order is mailed at once', async () => {
    const event = await createEvent(ctx);
    const unpaid = await placeOrder(ctx, event.id, { email: 'unpaid@mail.test' });
    const freeEvent = await createEvent(ctx, { ga: { price_cents: 0, capacity: 10 } });
    const free = await placeOrder(ctx, freeEvent.id, { email: 'free@mail.test' });
    await drainMails();
    expect(await mailRows(unpaid.order_id)).toEqual([]);
    expect(mailsTo('free@mail.test')).toHaveLength(1);
    expect(await mailRows(free.order_id)).toMatchObject([{ kind: 'order_paid', status: 'sent' }]);
  });

  it('an SMTP server that refuses keeps the mail, with its error, and it goes out once the server takes it', async () => {
    const event = await createEvent(ctx);
    const order = await placeOrder(ctx, event.id, { email: 'later@mail.test' });
    await payOrder(ctx, order);
    smtp.refuse = true;
    try {
      expect(await processDueMails(ctx.deps, { transport, timeZone: 'UTC' })).toBe(1);
    } finally {
      smtp.refuse = false;
    }
    const [row] = await mailRows(order.order_id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.last_error).toMatch(/451|Try again later/);
    expect(await drainMails()).toBe(0); // not due yet: it backs off
    ctx.clock.advance(60_000);
    expect(await drainMails()).toBe(1);
    expect(mailsTo('later@mail.test')).toHaveLength(1);
    expect(await mailRows(order.order_id)).toMatchObject([{ status: 'sent', attempts: 2 }]);
  });

  it('a worker that died after claiming a mail (lease held, nothing sent) leaves it to another once its lease runs out', async () => {
    const event = await createEvent(ctx);
    const order = await placeOrder(ctx, event.id, { email: 'crash@mail.test' });
    await payOrder(ctx, order);
    const now = ctx.clock.now();
    const claimed = await ctx.database.transaction((tx) =>
      claimDueMails(tx, now, new Date(now.getTime() + 60_000), 100),
    );
    expect(claimed.map((m) => m.orderId)).toContain(order.order_id);
    expect(await drainMails()).toBe(0);
    expect(mailsTo('crash@mail.test')).toHaveLength(0);
    ctx.clock.advance(60_000);
    expect(await drainMails()).toBeGreaterThanOrEqual(1);
    expect(mailsTo('crash@mail.test')).toHaveLength(1);
  });

  it('workers racing over the outbox send every mail exactly once', async () => {
    const event = await createEvent(ctx, { ga: { price_cents: 1000, capacity: 100 } });
    const emails = Array.from({ length: 12 }, (_, i) => `race-${i}@mail.test`);
    for (const email of emails) await payOrder(ctx, await placeOrder(ctx, event.id, { email }));
    const worker = async () => {
      let n = 0;
      for (;;) {
        const claimed = await processDueMails(ctx.deps, { transport, timeZone: 'UTC', batchSize: 2 });
        if (claimed === 0) return n;
        n += claimed;
      }
    };
    const claims = await Promise.all([worker(), worker(), worker(), worker()]);
    expect(claims.reduce((a, b) => a + b, 0)).toBe(12);
    for (const email of emails) expect(mailsTo(email)).toHaveLength(1);
  });

  it("a presale's mails are paced: one token of the mail rate per mail, spaced 1/rate apart, none skipped", async () => {
    const event = await createEvent(ctx, { ga: { price_cents: 1000, capacity: 100 } });
    const emails = Array.from({ length: 6 }, (_, i) => `paced-${i}@mail.test`);
    for (const email of emails) await payOrder(ctx, await placeOrder(ctx, event.id, { email }));
    // A clock that only records the waits: 6 mails at 5 per second wait 5 x 200 ms in all.
    const now = 0;
    const waits: number[] = [];
    const rate = new TokenBucket(5, 1, { now: () => now, sleep: async (ms) => void waits.push(ms) });
    expect(await processDueMails(ctx.deps, { transport, timeZone: 'UTC', batchSize: 10, rate })).toBe(6);
    expect(waits).toEqual([200, 400, 600, 800, 1000]);
    for (const email of emails) expect(mailsTo(email)).toHaveLength(1);
  });

  it('cancelling the event mails every paid buyer once their refund is made, saying how much and why', async () => {
    const event = await createEvent(ctx);
    const a = await placeOrder(ctx, event.id, { email: 'refund-a@mail.test', ga_quantity: 2 });
    const b = await placeOrder(ctx, event.id, { email: 'refund-b@mail.test', table_id: event.tables[1]!.id });
    const unpaid = await placeOrder(ctx, event.id, { email: 'refund-unpaid@mail.test' });
    await payOrder(ctx, a);
    await payOrder(ctx, b);
    await drainMails();
    const { confirmation_token } = (
      await ctx.app.inject({ url: `/api/v1/events/${event.id}/cancellation`, headers: bearer(ctx.ownerToken) })
    ).json();
    const cancel = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/cancel`,
      headers: bearer(ctx.ownerToken),
      payload: { confirmation_token },
    });
    expect(cancel.statusCode, cancel.body).toBe(202);
    // No refund made yet, no refund mail yet.
    await drainMails();
    expect(mailsTo('refund-a@mail.test').filter((m) => m.subject?.startsWith('Refunded'))).toHaveLength(0);
    await drainRefunds(ctx);
    await drainMails();
    const [refundA] = mailsTo('refund-a@mail.test').filter((m) => m.subject === 'Refunded: Friday Night');
    expect(refundA!.text).toContain('The organiser cancelled the event.');
    expect(refundA!.text).toContain('€40.00');
    expect(mailsTo('refund-b@mail.test').filter((m) => m.subject === 'Refunded: Friday Night')).toHaveLength(1);
    expect(mailsTo('refund-unpaid@mail.test')).toHaveLength(0);
    expect(await mailRows(unpaid.order_id)).toEqual([]);
  });

  it("mails in the language the order was bought in: the page's, else the buyer's Accept-Language, else the event's", async () => {
    const event = await createEvent(ctx, { name: 'Nacht', locale: 'es' });
    expect(event.locale).toBe('es');
    const chosen = await placeOrder(ctx, event.id, { email: 'lang-de@mail.test', locale: 'de', ga_quantity: 2 });
    const header = await placeOrder(
      ctx,
      event.id,
      { email: 'lang-fr@mail.test' },
      { 'accept-language': 'fr-BE, en;q=0.5' },
    );
    const fallback = await placeOrder(ctx, event.id, { email: 'lang-es@mail.test' }, { 'accept-language': 'ja' });
    for (const o of [chosen, header, fallback]) await payOrder(ctx, o);
    await drainMails();
    const [de] = mailsTo('lang-de@mail.test');
    expect(de!.subject).toBe('Deine Tickets für Nacht');
    expect(de!.text).toContain('Hallo Buyer,');
    expect(de!.text).toMatch(/Bezahlt: 40,00\s€\. 2 Tickets; jeder QR-Code unten lässt eine Person ein\./);
    // The event's time zone, the language's own dates (a 24-hour clock in German).
    expect(de!.text).toMatch(/Du bist dabei: Nacht, \w+, \d+\. \w+ \d{4} um \d\d:\d\d\./);
    expect(de!.html).toContain('<html lang="de">');
    expect(de!.html).toContain('Bestellung öffnen');
    expect(mailsTo('lang-fr@mail.test')[0]!.subject).toBe('Vos billets pour Nacht');
    expect(mailsTo('lang-es@mail.test')[0]!.subject).toBe('Tus entradas para Nacht');
    // The owner sets the event's language later: orders without their own follow it.
    const put = await ctx.app.inject({
      method: 'PUT',
      url: `/api/v1/events/${event.id}/details`,
      headers: bearer(ctx.ownerToken),
      payload: { venue_name: '', venue_address: '', description: '', locale: 'fr' },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().locale).toBe('fr');
    const later = await placeOrder(ctx, event.id, { email: 'lang-later@mail.test' });
    await payOrder(ctx, later);
    await drainMails();
    expect(mailsTo('lang-later@mail.test')[0]!.subject).toBe('Vos billets pour Nacht');
  });

  it('refuses a language Velvet does not speak, for an order or an event, and changes nothing', async () => {
    const event = await createEvent(ctx);
    const before = await mailRows('00000000-0000-0000-0000-000000000000');
    for (const locale of ['xx', 'EN', 'de-DE', '']) {
      const order = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/events/${event.id}/orders`,
        payload: { email: 'bad-locale@mail.test', name: 'Bad', ga_quantity: 1, locale },
      });
      expect([order.statusCode, order.json().error.code]).toEqual([400, 'invalid_request']);
      const details = await ctx.app.inject({
        method: 'PUT',
        url: `/api/v1/events/${event.id}/details`,
        headers: bearer(ctx.ownerToken),
        payload: { venue_name: '', venue_address: '', description: '', locale },
      });
      expect([details.statusCode, details.json().error.code]).toEqual([400, 'invalid_request']);
    }
    const [orders] = await queryRows<{ n: number }>(
      ctx.database.db,
      sql`SELECT count(*)::int AS n FROM orders WHERE email = 'bad-locale@mail.test'`,
    );
    expect(orders!.n).toBe(0);
    const view = await ctx.app.inject({ url: `/api/v1/events/${event.id}` });
    expect(view.json().locale).toBe('en');
    expect(before).toEqual([]);
  });

  it('without SMTP_URL each mail is a complete .eml file under the data directory, one per Message-ID', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'velvet-mail-'));
    const files = createMailTransport({ mail: { smtpUrl: undefined, from: 'Velvet <tickets@velvet.test>', dir } });
    try {
      const event = await createEvent(ctx);
      const order = await placeOrder(ctx, event.id, { email: 'eml@mail.test', name: 'Eli' });
      await payOrder(ctx, order);
      expect(await drainMails(files)).toBeGreaterThanOrEqual(1);
      const name = `order_paid.${order.order_id}_velvet.mail.eml`;
      expect(await readdir(dir)).toContain(name);
      const parsed = await simpleParser(await readFile(join(dir, name)));
      expect(parsed.subject).toBe('Your tickets for Friday Night');
      expect(parsed.text).toContain('Hi Eli,');
      expect(parsed.attachments.filter((x) => x.contentType === 'image/png')).toHaveLength(1);
    } finally {
      files.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
