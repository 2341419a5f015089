import { eq, sql } from 'drizzle-orm';
import { manageTokenFor } from '../src/auth/capability.js';
import { mails } from '../src/db/schema.js';
import { findReservationByOrder } from '../src/db/repos/reservations.repo.js';
import { listOrderTickets } from '../src/db/repos/tickets.repo.js';
import { addUser, login } from '../src/services/accounts/accounts.service.js';
import type { AppDeps } from '../src/services/deps.js';
import { createEvent } from '../src/services/events/create-event.service.js';
import { linkAtDoor } from '../src/services/guests/link-at-door.service.js';
import { applyPayment, payLocal } from '../src/services/orders/pay-order.service.js';
import { placeOrder } from '../src/services/orders/place-order.service.js';

export interface SeedPlan {
  spreadTickets: number;
  hotTables: number;
  /** GA capacity of the presale event the buying benchmark orders from; 0 = no such event. */
  buyCapacity: number;
  /** Tables of the table-drop event (none: no such event). */
  dropTables: number;
  /** Paid GA tickets of the scanner-cache event (open now, like the door's); 0 = no such event. */
  cacheTickets: number;
  /** Tables, each with a paid host, of the fan-out event (open now); 0 = no such event. */
  fanoutTables: number;
  /** Paid one-ticket orders of an event to cancel (the mass refund; needs the stripe provider); 0 = none. */
  refundOrders?: number;
  /** Tables of the arrivals event (open now), each bought with a full party of guests; 0 = no such event. */
  pushTables?: number;
}

export interface Seeded {
  staffToken: string;
  ownerToken: string;
  /** Open for scanning now: started an hour ago, ends in six hours. */
  doorEventId: string;
  /** Signed QR codes of paid GA tickets, shuffled. */
  spreadQrs: string[];
  /** Each table's host ticket and one guest linked at the door: VIP codes that re-enter. */
  hotQrs: string[];
  buyEventId: string | null;
  /** The table drop's event (sales open, tomorrow night) and its tables. */
  drop: { eventId: string; tableIds: string[] } | null;
  /** The scanner cache's event and its tickets' codes. */
  cache: { eventId: string; qrs: string[] } | null;
  /** The fan-out event: each table's host code (scanning it makes the table arrive on every floor plan). */
  fanout: { eventId: string; hosts: Array<{ tableId: string; qr: string }> } | null;
  /** The event whose cancellation refunds every order. */
  refundEventId: string | null;
  /** The arrivals event: each table's reservation, its order's manage token, and its guests' codes. */
  arrivals: {
    eventId: string;
    tables: Array<{ reservationId: string; manageToken: string; guestQrs: string[] }>;
  } | null;
  seedMs: number;
}

const HOUR = 3_600_000;
// The bench server allows orders this large (VELVET_MAX_TICKETS_PER_ORDER): fewer orders to seed.
export const ORDER_SIZE = 100;
const SEED_CONCURRENCY = 4;

/**
 * Everything goes through the use cases (createEvent, placeOrder, payLocal, linkAtDoor), so the
 * tickets are real paid tickets with codes signed by the server's key, exactly as buyers get them.
 */
export async function seedBench(deps: AppDeps, plan: SeedPlan): Promise<Seeded> {
  const started = performance.now();
  const password = 'bench-password';
  const owner = await addUser(deps, { email: 'owner@bench.local', password, role: 'owner' });
  const staff = await addUser(deps, { email: 'door@bench.local', password, role: 'staff' });
  const { token: staffToken } = await login(deps, { email: staff.email, password });
  const { token: ownerToken } = await login(deps, { email: owner.email, password });

  const now = deps.clock.now().getTime();
  // Open now (started an hour ago, ends in six hours) or on sale for tomorrow night; Gold tables of 8.
  const benchEvent = (name: string, when: 'open' | 'tomorrow', gaCapacity: number, tables = 0) =>
    createEvent(deps, owner.id, {
      name,
      startsAt: new Date(now + (when === 'open' ? -1 : 24) * HOUR),
      endsAt: new Date(now + (when === 'open' ? 6 : 31) * HOUR),
      currency: 'EUR',
      ga: { priceCents: 2000, capacity: gaCapacity },
      tiers: tables ? [{ name: 'Gold', priceCents: 50_000, capacity: 8 }] : [],
      tables: Array.from({ length: tables }, (_, i) => ({
        number: i + 1,
        tier: 'Gold',
        x: 20 * (i % 20),
        y: 20 * Math.floor(i / 20),
      })),
    });
  const door = await benchEvent(
    'Bench night (door open)',
    'open',
    plan.spreadTickets + 2 * plan.hotTables,
    plan.hotTables,
  );

  const buy = async (name: string, gaQuantity: number, tableId?: string) => {
    const { order } = await placeOrder(deps, {
      eventId: door.id,
      email: `${name}@bench.local`,
      name,
      gaQuantity,
      tableId,
    });
    await payLocal(deps, order.id);
    return { orderId: order.id, tickets: await listOrderTickets(deps.database.db, order.id) };
  };
  const qrOf = (t: { qr: string | null; id: string }) => {
    if (!t.qr) throw new Error(`seeded ticket ${t.id} has no code: it was not paid`);
    return t.qr;
  };

  const orders = Math.ceil(plan.spreadTickets / ORDER_SIZE);
  const spreadQrs = (
    await mapLimit(orders, SEED_CONCURRENCY, async (i) => {
      const size = Math.min(ORDER_SIZE, plan.spreadTickets - i * ORDER_SIZE);
      return (await buy(`buyer-${i}`, size)).tickets.map(qrOf);
    })
  ).flat();
  shuffle(spreadQrs);

  const hotQrs: string[] = [];
  for (const table of door.tables) {
    const host = await buy(`host-${table.number}`, 1, table.id);
    const guest = await buy(`guest-${table.number}`, 1);
    const reservation = await findReservationByOrder(deps.database.db, host.orderId);
    if (!reservation) throw new Error(`table ${table.number} was bought but has no reservation`);
    await linkAtDoor(deps, {
      reservationId: reservation.id,
      ticketId: guest.tickets[0]!.id,
      userId: staff.id,
      overrideCapacity: false,
    });
    hotQrs.push(qrOf(host.tickets[0]!), qrOf(guest.tickets[0]!));
  }

  let buyEventId: string | null = null;
  if (plan.buyCapacity > 0) {
    // A presale: tomorrow night, GA only, enough places that the run never sells out.
    const presale = await benchEvent('Bench presale', 'tomorrow', plan.buyCapacity);
    buyEventId = presale.id;
  }
  let drop: Seeded['drop'] = null;
  if (plan.dropTables > 0) {
    const event = await benchEvent('Bench table drop', 'tomorrow', 100_000, plan.dropTables);
    drop = { eventId: event.id, tableIds: event.tables.map((t) => t.id) };
  }

  let cache: Seeded['cache'] = null;
  if (plan.cacheTickets > 0) {
    const event = await benchEvent('Bench scanner cache', 'open', plan.cacheTickets);
    const qrs = (
      await mapLimit(Math.ceil(plan.cacheTickets / ORDER_SIZE), SEED_CONCURRENCY, async (i) => {
        const size = Math.min(ORDER_SIZE, plan.cacheTickets - i * ORDER_SIZE);
        const { order } = await placeOrder(deps, {
          eventId: event.id,
          email: `cache-${i}@bench.local`,
          name: `Cache buyer ${i}`,
          gaQuantity: size,
        });
        await payLocal(deps, order.id);
        return (await listOrderTickets(deps.database.db, order.id)).map(qrOf);
      })
    ).flat();
    cache = { eventId: event.id, qrs };
  }

  let fanout: Seeded['fanout'] = null;
  if (plan.fanoutTables > 0) {
    const event = await benchEvent('Bench floor plan', 'open', plan.fanoutTables, plan.fanoutTables);
    const hosts = await mapLimit(event.tables.length, SEED_CONCURRENCY, async (i) => {
      const table = event.tables[i]!;
      const { order } = await placeOrder(deps, {
        eventId: event.id,
        email: `fanout-${i}@bench.local`,
        name: `Host ${i + 1}`,
        gaQuantity: 1,
        tableId: table.id,
      });
      await payLocal(deps, order.id);
      return { tableId: table.id, qr: qrOf((await listOrderTickets(deps.database.db, order.id))[0]!) };
    });
    fanout = { eventId: event.id, hosts };
  }

  let refundEventId: string | null = null;
  if (plan.refundOrders) {
    // Paid by card: the Stripe fake pays each PaymentIntent as it is created (autoSucceed) and the
    // payment is applied as its webhook would apply it.
    const event = await benchEvent('Bench night to cancel', 'tomorrow', plan.refundOrders);
    await mapLimit(plan.refundOrders, SEED_CONCURRENCY * 2, async (i) => {
      const { order } = await placeOrder(deps, {
        eventId: event.id,
        email: `refund-${i}@bench.local`,
        name: `Refund buyer ${i}`,
        gaQuantity: 1,
      });
      await deps.database.flights((tx) => applyPayment(tx, deps, order.id, { commit: true }));
    });
    refundEventId = event.id;
  }

  let arrivals: Seeded['arrivals'] = null;
  if (plan.pushTables) {
    // Each table bought with eight tickets: the host's own code and seven guests at the table.
    const event = await benchEvent('Bench arrivals', 'open', plan.pushTables * 8, plan.pushTables);
    const tables = await mapLimit(event.tables.length, SEED_CONCURRENCY, async (i) => {
      const table = event.tables[i]!;
      const { order } = await placeOrder(deps, {
        eventId: event.id,
        email: `party-${i}@bench.local`,
        name: `Host ${i + 1}`,
        gaQuantity: 8,
        tableId: table.id,
      });
      await payLocal(deps, order.id);
      const tickets = await listOrderTickets(deps.database.db, order.id);
      const reservation = await findReservationByOrder(deps.database.db, order.id);
      if (!reservation) throw new Error(`arrivals table ${table.number} has no reservation`);
      return {
        reservationId: reservation.id,
        manageToken: manageTokenFor(deps.keys.manageKey, order.id).token,
        guestQrs: tickets.filter((t) => t.id !== reservation.hostTicketId).map(qrOf),
      };
    });
    arrivals = { eventId: event.id, tables };
  }

  // Every seeded order's mail (QR codes rendered as PNGs: 100 for an order of 100) was sent long
  // before the night, whichever event it is for: left pending, the mail worker would render them
  // during the door rush and cloud its figures.
  await deps.database.db.update(mails).set({ status: 'sent', sentAt: new Date() }).where(eq(mails.status, 'pending'));
  if (deps.database.kind === 'postgres') {
    // The presale was long before the night: autovacuum has been through the tables. Without this,
    // vacuuming the fresh rows competes with the rush for CPU. (No CHECKPOINT: right after one,
    // every page's first change writes a full page to the WAL, which no door rush would meet all
    // at once, and the peer's database is not given one either.)
    await deps.database.db.execute(sql`VACUUM ANALYZE`);
  }
  return {
    staffToken,
    ownerToken,
    refundEventId,
    arrivals,
    doorEventId: door.id,
    spreadQrs,
    hotQrs,
    buyEventId,
    drop,
    cache,
    fanout,
    seedMs: performance.now() - started,
  };
}

async function mapLimit<T>(count: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return out;
}

export function shuffle<T>(xs: T[]): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
}
