import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { decideCheckIn } from '../src/domain/check-in.js';
import { eventWindowFromCache, ticketFactsFromCache, type CachedTicket } from '../src/domain/scanner-cache.js';
import { parseTicketCode } from '../src/domain/ticket-code.js';
import type { MailTransport, OutgoingMail } from '../src/mail/transport.js';
import { processDueMails } from '../src/services/mail/mail-worker.service.js';
import { MAX_TRANSFERS_PER_TICKET } from '../src/services/transfers/transfer-ticket.service.js';
import { buyTable, linkWithInvite, openDoors, scan } from './support/door.js';
import { errorCode } from './support/guests.js';
import {
  bearer,
  buyPaid,
  createEvent,
  placeOrder,
  startTestApp,
  T0,
  type EventInfo,
  type TestContext,
} from './support/harness.js';
import { dumpTables } from './support/snapshot.js';
import { drainRefunds } from './support/stripe-flow.js';

let ctx: TestContext;
let event: EventInfo;
const sent: OutgoingMail[] = [];
const transport: MailTransport = { destination: 'memory', send: async (m) => void sent.push(m), close: () => {} };

beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(() => ctx.close());

async function freshEvent() {
  ctx.clock.set(T0);
  event = await createEvent(ctx);
  return event;
}

const transfer = (ticketId: string, token: string, to: { email: string; name: string }, remoteAddress = '127.0.0.1') =>
  ctx.app.inject({
    method: 'POST',
    url: `/api/v1/tickets/${ticketId}/transfer`,
    headers: bearer(token),
    payload: to,
    remoteAddress,
  });

const heldTicket = (ticketId: string, token: string) =>
  ctx.app.inject({ url: `/api/v1/tickets/${ticketId}`, headers: bearer(token) });

/** Sends every due mail; returns the new holders' links (ticket id and token) found in them, by recipient. */
async function mailedLinks(): Promise<Map<string, { ticketId: string; token: string; mail: OutgoingMail }>> {
  sent.length = 0;
  while ((await processDueMails(ctx.deps, { transport, timeZone: 'Europe/Berlin' })) > 0);
  const out = new Map<string, { ticketId: string; token: string; mail: OutgoingMail }>();
  for (const mail of sent) {
    const m = mail.text.match(/http:\/\/velvet\.test\/tickets\/([0-9a-f-]+)#token=([A-Za-z0-9_-]+)/);
    if (m) out.set(mail.to, { ticketId: m[1]!, token: m[2]!, mail });
  }
  return out;
}

async function scannerCache(since?: string) {
  const res = await ctx.app.inject({
    url: `/api/v1/events/${event.id}/scanner-cache${since ? `?since=${encodeURIComponent(since)}` : ''}`,
    headers: bearer(ctx.staffToken),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    generated_at: string;
    event: { status: 'scheduled'; starts_at: string; ends_at: string };
    tickets: CachedTicket[];
  };
}

const transferRows = (ticketId: string) =>
  queryRows<{ generation: number; from_name: string; to_email: string; table_link: string | null }>(
    ctx.database.db,
    sql`SELECT generation, from_name, to_email, table_link FROM ticket_transfers WHERE ticket_id = ${ticketId} ORDER BY generation`,
  );

describe('transferring a ticket', () => {
  it('gives the friend a new code and a link of their own; the old code is refused at the door, online and from the offline cache', async () => {
    await freshEvent();
    const buyer = await buyPaid(ctx, event.id, {
      ga_quantity: 2,
      name: 'Bea Buyer',
      holder_names: ['Bea Buyer', 'Spare'],
    });
    const own = buyer.view.tickets.find((t) => t.holder_name === 'Bea Buyer');
    const given = buyer.view.tickets.find((t) => t.holder_name === 'Spare');
    const before = await scannerCache();

    const res = await transfer(given!.id, buyer.manage_token, { email: 'Fritz@Example.com', name: 'Fritz Friend' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ticket_id: given!.id,
      generation: 1,
      from_name: 'Spare',
      from_email: expect.stringMatching(/^buyer-\d+@example\.com$/),
      to_email: 'fritz@example.com',
      to_name: 'Fritz Friend',
      table_link: null,
    });

    // The buyer's order shows it as passed on, without its code; the buyer can no longer use it.
    const order = (
      await ctx.app.inject({ url: `/api/v1/orders/${buyer.order_id}`, headers: bearer(buyer.manage_token) })
    ).json();
    expect(order.tickets.find((t: { id: string }) => t.id === given!.id)).toMatchObject({
      transferred: true,
      qr: null,
      status: 'valid',
    });
    expect(order.tickets.find((t: { id: string }) => t.id === own!.id)).toMatchObject({
      transferred: false,
      qr: own!.qr,
    });
    expect((await heldTicket(given!.id, buyer.manage_token)).statusCode).toBe(403);
    expect(
      (await ctx.app.inject({ url: `/api/v1/tickets/${given!.id}/qr.svg`, headers: bearer(buyer.manage_token) }))
        .statusCode,
    ).toBe(403);
    expect(
      (await transfer(given!.id, buyer.manage_token, { email: 'again@example.com', name: 'Again' })).statusCode,
    ).toBe(403);

    // The friend's mail: their link opens that ticket alone, with a new (V2) code.
    const links = await mailedLinks();
    const friend = links.get('fritz@example.com')!;
    expect(friend.ticketId).toBe(given!.id);
    expect(friend.mail.subject).toBe('Spare sent you a ticket for Friday Night');
    expect(friend.mail.attachments).toHaveLength(1);
    const held = await heldTicket(given!.id, friend.token);
    expect(held.statusCode, held.body).toBe(200);
    const newCode = held.json().qr as string;
    expect(held.json()).toMatchObject({
      id: given!.id,
      holder_name: 'Fritz Friend',
      status: 'valid',
      table: null,
      is_host: false,
    });
    expect(parseTicketCode(newCode)).toMatchObject({ ticketId: given!.id, generation: 1 });
    expect(newCode).not.toBe(given!.qr);
    expect((await heldTicket(own!.id, friend.token)).statusCode).toBe(404);
    expect(
      (await ctx.app.inject({ url: `/api/v1/orders/${buyer.order_id}`, headers: bearer(friend.token) })).statusCode,
    ).toBe(403);

    // The scanner's delta since before the transfer carries the new generation and holder.
    const delta = await scannerCache(before.generated_at);
    const cached = delta.tickets.find((t) => t.id === given!.id)!;
    expect(cached).toMatchObject({
      code_generation: 1,
      holder_name: 'Fritz Friend',
      email: 'fritz@example.com',
      status: 'valid',
    });
    // Offline: the same decision refuses the old code from that cache and admits the new one.
    openDoors(ctx, event);
    const offline = (qr: string) => {
      const parts = parseTicketCode(qr)!;
      return decideCheckIn({
        code: { eventId: parts.eventId, ticketId: parts.ticketId, generation: parts.generation },
        scannerEventId: event.id,
        event: eventWindowFromCache({ id: event.id, name: 'x', ...delta.event }),
        ticket: ticketFactsFromCache(event.id, cached),
        recentEntries: [],
        scannerId: 'door-9',
        now: ctx.clock.now(),
        reentryWarningSeconds: 0,
      });
    };
    expect(offline(given!.qr!)).toMatchObject({ result: 'rejected', reason: 'transferred' });
    expect(offline(newCode)).toMatchObject({ result: 'admitted' });

    // Online: the old code is refused with the reason, the new one admits its new holder.
    const old = await scan(ctx, given!.qr!);
    expect(old).toMatchObject({
      result: 'rejected',
      reason: 'transferred',
      message: 'This ticket was transferred: its holder has a new code',
    });
    expect(await scan(ctx, newCode)).toMatchObject({
      result: 'admitted',
      ticket: { id: given!.id, holder_name: 'Fritz Friend', kind: 'ga' },
    });
    expect(await scan(ctx, own!.qr!)).toMatchObject({ result: 'admitted' });

    // The owner sees it in the order's history.
    const activity = (
      await ctx.app.inject({ url: `/api/v1/orders/${buyer.order_id}/activity`, headers: bearer(ctx.ownerToken) })
    ).json();
    expect(activity.transfers).toEqual([
      expect.objectContaining({ ticket_id: given!.id, to_email: 'fritz@example.com', generation: 1 }),
    ]);
    expect(activity.mails).toContainEqual(expect.objectContaining({ kind: 'ticket_transferred', status: 'sent' }));
  });

  it('an offline door that admitted the old code hears of it as a conflict when it syncs', async () => {
    await freshEvent();
    const buyer = await buyPaid(ctx, event.id, { name: 'Olga' });
    const ticket = buyer.view.tickets[0]!;
    expect((await transfer(ticket.id, buyer.manage_token, { email: 'pia@example.com', name: 'Pia' })).statusCode).toBe(
      200,
    );
    openDoors(ctx, event);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/scans/batch',
      headers: bearer(ctx.staffToken),
      payload: {
        scanner_id: 'door-offline',
        event_id: event.id,
        scans: [{ qr: ticket.qr, scanned_at: ctx.clock.now().toISOString(), offline_result: 'admitted' }],
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().results[0]).toMatchObject({ result: 'rejected', reason: 'transferred', conflict: 'transferred' });
  });

  it('the new holder may pass it on again: the previous holder and their code are out, the chain is in the history', async () => {
    await freshEvent();
    const buyer = await buyPaid(ctx, event.id, { name: 'Ann' });
    const ticket = buyer.view.tickets[0]!;
    expect((await transfer(ticket.id, buyer.manage_token, { email: 'ben@example.com', name: 'Ben' })).statusCode).toBe(
      200,
    );
    const ben = (await mailedLinks()).get('ben@example.com')!;
    const bensCode = (await heldTicket(ticket.id, ben.token)).json().qr as string;
    const again = await transfer(ticket.id, ben.token, { email: 'cleo@example.com', name: 'Cleo' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({
      generation: 2,
      from_name: 'Ben',
      from_email: 'ben@example.com',
      to_name: 'Cleo',
    });
    expect((await heldTicket(ticket.id, ben.token)).statusCode).toBe(401);
    const cleo = (await mailedLinks()).get('cleo@example.com')!;
    const cleosCode = (await heldTicket(ticket.id, cleo.token)).json().qr as string;
    expect(parseTicketCode(cleosCode)?.generation).toBe(2);
    // Cleo fixes the spelling of her name on her own ticket.
    const renamed = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/tickets/${ticket.id}`,
      headers: bearer(cleo.token),
      payload: { holder_name: 'Cleo Clark' },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ id: ticket.id, holder_name: 'Cleo Clark' });
    expect((await transferRows(ticket.id)).map((r) => [r.generation, r.from_name, r.to_email])).toEqual([
      [1, 'Ann', 'ben@example.com'],
      [2, 'Ben', 'cleo@example.com'],
    ]);
    openDoors(ctx, event);
    expect(await scan(ctx, ticket.qr!)).toMatchObject({ result: 'rejected', reason: 'transferred' });
    expect(await scan(ctx, bensCode)).toMatchObject({ result: 'rejected', reason: 'transferred' });
    expect(await scan(ctx, cleosCode)).toMatchObject({ result: 'admitted', ticket: { holder_name: 'Cleo Clark' } });
  });

  it("refuses the host's own ticket, an unpaid one, after the start, and past the limit, changing nothing", async () => {
    await freshEvent();
    const { order, host } = await buyTable(ctx, event, 1);
    const pending = await placeOrder(ctx, event.id, { name: 'Pat' });
    const pendingTicket = (
      await ctx.app.inject({ url: `/api/v1/orders/${pending.order_id}`, headers: bearer(pending.manage_token) })
    ).json().tickets[0];
    const tables = ['tickets', 'guest_links', 'reservations', 'ticket_transfers', 'mails'];
    const snapshot = await dumpTables(ctx.database.db, tables);

    const hostRes = await transfer(host.id, order.manage_token, { email: 'x@example.com', name: 'X' });
    expect(hostRes.statusCode).toBe(409);
    expect(hostRes.json().error).toMatchObject({
      code: 'host_ticket',
      message: expect.stringContaining('key to table 1'),
    });
    const unpaid = await transfer(pendingTicket.id, pending.manage_token, { email: 'x@example.com', name: 'X' });
    expect(errorCode(unpaid)).toBe('ticket_not_valid');
    expect(errorCode(await transfer(host.id, order.manage_token, { email: 'not-an-email', name: 'X' }))).toBe(
      'invalid_request',
    );
    expect(errorCode(await transfer(host.id, ctx.staffToken, { email: 'x@example.com', name: 'X' }))).toBe('forbidden');
    expect(await dumpTables(ctx.database.db, tables)).toEqual(snapshot);

    const ga = await buyPaid(ctx, event.id, { name: 'Gus' });
    let token = ga.manage_token;
    for (let i = 1; i <= MAX_TRANSFERS_PER_TICKET; i++) {
      expect(
        (await transfer(ga.view.tickets[0]!.id, token, { email: `hop${i}@example.com`, name: `Hop ${i}` })).statusCode,
      ).toBe(200);
      token = (await mailedLinks()).get(`hop${i}@example.com`)!.token;
    }
    const limit = await transfer(ga.view.tickets[0]!.id, token, { email: 'one-more@example.com', name: 'One More' });
    expect(errorCode(limit)).toBe('transfer_limit');

    const late = await buyPaid(ctx, event.id, { name: 'Late' });
    ctx.clock.set(new Date(Date.parse(event.starts_at)));
    const started = await transfer(late.view.tickets[0]!.id, late.manage_token, { email: 'x@example.com', name: 'X' });
    expect(errorCode(started)).toBe('event_started');
    expect(await transferRows(late.view.tickets[0]!.id)).toEqual([]);
  });

  it("a linked guest's place goes along only when the host allows it; otherwise the ticket goes as plain GA", async () => {
    await freshEvent();
    const { order, reservationId } = await buyTable(ctx, event, 1);
    const invite = order.view.reservation!.invite_code;
    const guests = await buyPaid(ctx, event.id, { ga_quantity: 2, name: 'Gia', holder_names: ['Gia', 'Gil'] });
    const gia = guests.view.tickets.find((t) => t.holder_name === 'Gia');
    const gil = guests.view.tickets.find((t) => t.holder_name === 'Gil');
    await linkWithInvite(ctx, { ticketId: gia!.id, token: guests.manage_token }, invite);
    await linkWithInvite(ctx, { ticketId: gil!.id, token: guests.manage_token }, invite);

    const dropped = await transfer(gia!.id, guests.manage_token, { email: 'dora@example.com', name: 'Dora' });
    expect(dropped.json()).toMatchObject({ table_link: 'dropped' });
    const reservation = async () =>
      (
        await ctx.app.inject({ url: `/api/v1/reservations/${reservationId}`, headers: bearer(order.manage_token) })
      ).json();
    expect((await reservation()).guests.map((g: { name: string }) => g.name)).toEqual(['Gil']);

    // Only the host answers for their table.
    const consent = (token: string) =>
      ctx.app.inject({
        method: 'PUT',
        url: `/api/v1/reservations/${reservationId}/guest-transfers`,
        headers: bearer(token),
        payload: { allowed: true },
      });
    expect((await consent(guests.manage_token)).statusCode).toBe(404);
    const allowed = await consent(order.manage_token);
    expect(allowed.statusCode, allowed.body).toBe(200);
    expect(allowed.json()).toMatchObject({ guests_may_transfer: true });

    const kept = await transfer(gil!.id, guests.manage_token, { email: 'kai@example.com', name: 'Kai' });
    expect(kept.json()).toMatchObject({ table_link: 'kept' });
    expect((await reservation()).guests.map((g: { name: string }) => g.name)).toEqual(['Kai']);
    const links = await mailedLinks();
    expect(links.get('kai@example.com')!.mail.text).toContain('Your place as a guest at table 1 (Gold) comes with it.');
    expect(links.get('dora@example.com')!.mail.text).not.toContain('table');
    const kai = await heldTicket(gil!.id, links.get('kai@example.com')!.token);
    expect(kai.json()).toMatchObject({
      linked_reservation_id: reservationId,
      table: { table_number: 1, tier: 'Gold' },
    });
    const dora = await heldTicket(gia!.id, links.get('dora@example.com')!.token);
    expect(dora.json()).toMatchObject({ linked_reservation_id: null, table: null });

    openDoors(ctx, event);
    expect(await scan(ctx, kai.json().qr)).toMatchObject({
      result: 'admitted',
      ticket: { kind: 'vip_guest', holder_name: 'Kai' },
    });
    expect(await scan(ctx, dora.json().qr)).toMatchObject({
      result: 'admitted',
      ticket: { kind: 'ga', holder_name: 'Dora' },
    });
  });

  it('two transfers of one ticket sent at once with the same token: exactly one happens', async () => {
    await freshEvent();
    const buyer = await buyPaid(ctx, event.id, { name: 'Rae' });
    const ticket = buyer.view.tickets[0]!;
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        transfer(ticket.id, buyer.manage_token, { email: `racer${i}@example.com`, name: `Racer ${i}` }, '10.9.0.1'),
      ),
    );
    const codes = answers.map((a) => a.statusCode).sort();
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 403)).toHaveLength(7);
    expect(await transferRows(ticket.id)).toHaveLength(1);
    const [row] = await queryRows<{ code_generation: number; n: number }>(
      ctx.database.db,
      sql`SELECT code_generation, (SELECT count(*)::int FROM mails WHERE kind = 'ticket_transferred' AND order_id = ${buyer.order_id}) AS n FROM tickets WHERE id = ${ticket.id}`,
    );
    expect(row).toEqual({ code_generation: 1, n: 1 });
  });

  it('each network sends at most 20 transfers a minute (each mails someone)', async () => {
    await freshEvent();
    const buyer = await buyPaid(ctx, event.id, { name: 'Flo' });
    const missing = '00000000-0000-4000-8000-00000000abcd';
    for (let i = 0; i < 20; i++)
      expect(
        (await transfer(missing, buyer.manage_token, { email: 'a@example.com', name: 'A' }, '10.9.0.2')).statusCode,
      ).toBe(404);
    expect(
      errorCode(
        await transfer(
          buyer.view.tickets[0]!.id,
          buyer.manage_token,
          { email: 'a@example.com', name: 'A' },
          '10.9.0.2',
        ),
      ),
    ).toBe('rate_limited');
    expect(await transferRows(buyer.view.tickets[0]!.id)).toEqual([]);
  });

  it('whoever holds a sent ticket hears when it stops admitting anyone: a refund of its order, or the night cancelled', async () => {
    await freshEvent();
    const buyer = await buyPaid(ctx, event.id, { ga_quantity: 2, name: 'Pam', holder_names: ['Pam', 'Spare'] });
    const spare = buyer.view.tickets.find((t) => t.holder_name === 'Spare')!;
    expect(
      (await transfer(spare.id, buyer.manage_token, { email: 'quinn@example.com', name: 'Quinn' })).statusCode,
    ).toBe(200);
    await mailedLinks();
    const refund = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${buyer.order_id}/refund`,
      headers: bearer(ctx.ownerToken),
      payload: { amount_cents: 4000 },
    });
    expect(refund.statusCode, refund.body).toBe(202);
    await drainRefunds(ctx);
    await mailedLinks();
    const told = sent.filter((m) => m.to === 'quinn@example.com');
    expect(told).toHaveLength(1);
    expect(told[0]!.subject).toBe('Your ticket for Friday Night no longer admits anyone');
    expect(told[0]!.text).toContain('The organiser refunded the order it came from.');
    // The buyer gets their refund mail as before; the holder's old link shows the ticket as void.
    expect(sent.some((m) => m.subject === 'Refunded: Friday Night')).toBe(true);

    await freshEvent();
    const other = await buyPaid(ctx, event.id, { name: 'Rob' });
    expect(
      (await transfer(other.view.tickets[0]!.id, other.manage_token, { email: 'sia@example.com', name: 'Sia' }))
        .statusCode,
    ).toBe(200);
    await mailedLinks();
    const preview = (
      await ctx.app.inject({ url: `/api/v1/events/${event.id}/cancellation`, headers: bearer(ctx.ownerToken) })
    ).json();
    const cancelled = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/cancel`,
      headers: bearer(ctx.ownerToken),
      payload: { confirmation_token: preview.confirmation_token },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(202);
    await drainRefunds(ctx);
    await mailedLinks();
    expect(sent.filter((m) => m.to === 'sia@example.com').map((m) => m.subject)).toEqual(['Cancelled: Friday Night']);
  });
});
