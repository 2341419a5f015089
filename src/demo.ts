import { manageTokenFor } from './auth/capability.js';
import { findSetting, getOrCreateSetting } from './db/repos/settings.repo.js';
import { listOrderTickets } from './db/repos/tickets.repo.js';
import { findUserByEmail } from './db/repos/users.repo.js';
import { addUser } from './services/accounts/accounts.service.js';
import type { AppDeps } from './services/deps.js';
import { createEvent } from './services/events/create-event.service.js';
import { payLocal } from './services/orders/pay-order.service.js';
import { placeOrder } from './services/orders/place-order.service.js';

export const DEMO_OWNER = { email: 'owner@velvet.local', password: 'velvet-owner', role: 'owner' as const };
export const DEMO_STAFF = { email: 'door@velvet.local', password: 'velvet-door', role: 'staff' as const };

export interface DemoInfo {
  eventId: string;
  upcomingEventId: string;
  orderId: string;
  hostTicketId: string;
}

/** The pages a new user wants to open first; the VIP order's link carries its manage token. */
export function demoLinks(info: DemoInfo, deps: Pick<AppDeps, 'config' | 'keys'>) {
  const url = deps.config.publicUrl;
  const { token } = manageTokenFor(deps.keys.manageKey, info.orderId);
  return {
    door: `${url}/door`,
    floor: `${url}/events/${info.eventId}/floor`,
    admin: `${url}/admin`,
    buy: `${url}/e/${info.upcomingEventId}`,
    vipOrder: `${url}/orders/${info.orderId}#token=${token}`,
  };
}

const HOUR = 3600_000;

/**
 * Seeds a demo once per database: an owner and a door account, tonight's event (open for scanning)
 * with a paid VIP table, and an upcoming event (guest list still open). Later starts reuse it.
 */
export async function ensureDemo(deps: AppDeps): Promise<DemoInfo> {
  const db = deps.database.db;
  const existing = await findSetting(db, 'demo');
  if (existing) return JSON.parse(existing) as DemoInfo;

  for (const u of [DEMO_OWNER, DEMO_STAFF]) {
    if (!(await findUserByEmail(db, u.email))) await addUser(deps, u);
  }
  const owner = (await findUserByEmail(db, DEMO_OWNER.email))!;
  const now = deps.clock.now().getTime();
  const layout = {
    currency: 'EUR',
    ga: { priceCents: 2500, capacity: 400 },
    tiers: [
      { name: 'Gold', priceCents: 60000, capacity: 8, minSpendCents: 100000 },
      { name: 'Silver', priceCents: 30000, capacity: 6 },
    ],
    tables: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ number: n, tier: n <= 3 ? 'Gold' : 'Silver', x: 80 + ((n - 1) % 4) * 160, y: n <= 4 ? 90 : 260 })),
  };
  const tonight = await createEvent(deps, owner.id, {
    name: 'Velvet Demo Night',
    startsAt: new Date(now - HOUR),
    endsAt: new Date(now + 7 * HOUR),
    ...layout,
  });
  const upcoming = await createEvent(deps, owner.id, {
    name: 'Velvet Saturday',
    startsAt: new Date(now + 4 * 24 * HOUR),
    endsAt: new Date(now + 4 * 24 * HOUR + 7 * HOUR),
    ...layout,
  });
  const vip = await placeOrder(deps, {
    eventId: tonight.id,
    email: 'host@example.com',
    name: 'Demo Host',
    gaQuantity: 1,
    tableId: tonight.tables[0]!.id,
  });
  await payLocal(deps, vip.order.id);
  const [hostTicket] = await listOrderTickets(db, vip.order.id);
  const info: DemoInfo = {
    eventId: tonight.id,
    upcomingEventId: upcoming.id,
    orderId: vip.order.id,
    hostTicketId: hostTicket!.id,
  };
  await getOrCreateSetting(db, 'demo', () => JSON.stringify(info));
  return info;
}
