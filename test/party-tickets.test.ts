import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireHolds } from '../src/services/orders/expire-holds.service.js';
import { openDoors, scan } from './support/door.js';
import { expectRefused as refused } from './support/refused.js';
import {
  bearer,
  buyPaid,
  createEvent,
  floorTables,
  placeOrder,
  startTestApp,
  T0,
  type EventInfo,
  type OrderViewJson,
  type TestContext,
} from './support/harness.js';

let ctx: TestContext;
let event: EventInfo;
const tableId = (n: number) => event.tables.find((t) => t.number === n)!.id;

beforeAll(async () => {
  ctx = await startTestApp();
  event = await createEvent(ctx);
});
afterAll(() => ctx.close());

const expectRefused = (send: () => Promise<LightMyRequestResponse>, status: number, code: string) =>
  refused(ctx, send, status, code);

const rename = (ticketId: string, token: string, holder_name: string) =>
  ctx.app.inject({
    method: 'PATCH',
    url: `/api/v1/tickets/${ticketId}`,
    headers: bearer(token),
    payload: { holder_name },
  });

describe("a table's party", () => {
  it("puts the buyer's extra tickets on their own table as guests, as many as it seats; the rest stay plain GA", async () => {
    // Silver seats 4: the host and three guests. Six tickets: three guests, two plain GA.
    const party = await buyPaid(ctx, event.id, {
      name: 'Pat Party',
      ga_quantity: 6,
      table_id: tableId(3),
      holder_names: ['Pat Party', 'Ann', 'Ben', 'Cleo', 'Dee'],
    });
    const tickets = party.view.tickets;
    const reservationId = party.view.reservation!.id;
    expect(tickets.filter((t) => t.is_host).map((t) => t.holder_name)).toEqual(['Pat Party']);
    expect(tickets.filter((t) => t.linked_reservation_id === reservationId)).toHaveLength(3);
    expect(tickets.filter((t) => !t.is_host && !t.linked_reservation_id)).toHaveLength(2);
    // Names as typed at checkout, in order; the sixth, unnamed, carries the buyer's.
    expect(tickets.map((t) => t.holder_name).sort()).toEqual(['Ann', 'Ben', 'Cleo', 'Dee', 'Pat Party', 'Pat Party']);
    expect(party.view.reservation!.guests.map((g) => g.name).sort()).toEqual(['Ann', 'Ben', 'Cleo']);
    const table = (await floorTables(ctx, event.id)).find((t) => t.number === 3)!;
    expect(table).toMatchObject({ status: 'reserved', guests_linked: 3 });

    // At the door a guest's own scan says whose table it is.
    openDoors(ctx, event);
    try {
      const guest = tickets.find((t) => t.linked_reservation_id === reservationId)!;
      const r = await scan(ctx, guest.qr!);
      expect(r).toMatchObject({
        result: 'admitted',
        ticket: { kind: 'vip_guest' },
        vip: { role: 'guest', table_number: 3, host_name: 'Pat Party' },
      });
    } finally {
      ctx.clock.set(new Date(T0));
    }
  });

  it('a buyer removes one of their own party from the table; the ticket stays theirs, as plain GA', async () => {
    const party = await buyPaid(ctx, event.id, { name: 'Remy', ga_quantity: 2, table_id: tableId(1) });
    const friend = party.view.tickets.find((t) => !t.is_host)!;
    const res = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/reservations/${party.view.reservation!.id}/guests/${friend.id}`,
      headers: bearer(party.manage_token),
    });
    expect(res.statusCode, res.body).toBe(200);
    const view: OrderViewJson = (
      await ctx.app.inject({ url: `/api/v1/orders/${party.order_id}`, headers: bearer(party.manage_token) })
    ).json();
    expect(view.tickets.find((t) => t.id === friend.id)).toMatchObject({
      status: 'valid',
      linked_reservation_id: null,
    });
  });

  it('refuses more names than tickets, holding nothing', async () => {
    await expectRefused(
      () =>
        ctx.app.inject({
          method: 'POST',
          url: `/api/v1/events/${event.id}/orders`,
          payload: { email: 'n@example.com', name: 'N', ga_quantity: 1, holder_names: ['N', 'M'] },
        }),
      400,
      'invalid_request',
    );
  });
});

describe('holder names', () => {
  it('the buyer renames a ticket until the event starts; the door and the scanner cache see the new name', async () => {
    const order = await buyPaid(ctx, event.id, { name: 'Quinn', ga_quantity: 2 });
    const [, second] = order.view.tickets;
    const cacheBefore = (
      await ctx.app.inject({ url: `/api/v1/events/${event.id}/scanner-cache`, headers: bearer(ctx.staffToken) })
    ).json();
    const res = await rename(second!.id, order.manage_token, '  Robin Reyes ');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().tickets.find((t: { id: string }) => t.id === second!.id).holder_name).toBe('Robin Reyes');
    const delta = (
      await ctx.app.inject({
        url: `/api/v1/events/${event.id}/scanner-cache?since=${encodeURIComponent(cacheBefore.generated_at)}`,
        headers: bearer(ctx.staffToken),
      })
    ).json();
    expect(delta.tickets.map((t: { id: string; holder_name: string }) => [t.id, t.holder_name])).toContainEqual([
      second!.id,
      'Robin Reyes',
    ]);
  });

  it('refuses once the event has started, for another order, and for bad names, changing nothing', async () => {
    const order = await buyPaid(ctx, event.id, { name: 'Sky' });
    const other = await buyPaid(ctx, event.id, { name: 'Other' });
    const ticket = order.view.tickets[0]!;
    await expectRefused(() => rename(ticket.id, other.manage_token, 'Mallory'), 404, 'not_found');
    await expectRefused(() => rename(ticket.id, order.manage_token, ''), 400, 'invalid_request');
    await expectRefused(() => rename(ticket.id, order.manage_token, 'a\u0000b'), 400, 'invalid_request');
    await expectRefused(() => rename(ticket.id, ctx.staffToken, 'Staff'), 403, 'forbidden');
    openDoors(ctx, event, 0);
    try {
      const res = await expectRefused(() => rename(ticket.id, order.manage_token, 'Too Late'), 409, 'event_started');
      expect(res.json().error.message).toMatch(/started/);
    } finally {
      ctx.clock.set(new Date(T0));
    }
  });

  it('a pending (unpaid) ticket may be named too; a void one may not', async () => {
    const pending = await placeOrder(ctx, event.id, { name: 'Una' });
    const view: OrderViewJson = (
      await ctx.app.inject({ url: `/api/v1/orders/${pending.order_id}`, headers: bearer(pending.manage_token) })
    ).json();
    expect((await rename(view.tickets[0]!.id, pending.manage_token, 'Una U')).statusCode).toBe(200);
    ctx.clock.advance(3600_000);
    await expireHolds(ctx.deps);
    await expectRefused(() => rename(view.tickets[0]!.id, pending.manage_token, 'Una V'), 409, 'ticket_not_valid');
    ctx.clock.set(new Date(T0));
  });
});
