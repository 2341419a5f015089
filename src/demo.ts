import { manageTokenFor } from './auth/capability.js';
import { findHostReservation } from './db/repos/guest-list.repo.js';
import { findSetting, getOrCreateSetting } from './db/repos/settings.repo.js';
import { listOrderTickets } from './db/repos/tickets.repo.js';
import { findUserByEmail } from './db/repos/users.repo.js';
import { nextNight, tonightsSession } from './demo-week.js';
import { addUser } from './services/accounts/accounts.service.js';
import type { AppDeps } from './services/deps.js';
import { scanTicket } from './services/door/scan-ticket.service.js';
import { createEvent } from './services/events/create-event.service.js';
import { linkTicket, runLink } from './services/guests/link.js';
import { payLocal } from './services/orders/pay-order.service.js';
import { placeOrder } from './services/orders/place-order.service.js';

export const DEMO_OWNER = {
  email: 'owner@velvet.local',
  password: 'velvet-owner',
  role: 'owner' as const,
  name: 'Maya Lindqvist',
};
export const DEMO_STAFF = {
  email: 'door@velvet.local',
  password: 'velvet-door',
  role: 'staff' as const,
  name: 'Sam Okafor',
};

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
const FRIDAY = 5;
const SATURDAY = 6;

const FIRST = [
  'Ana',
  'Ben',
  'Chloé',
  'Dario',
  'Elif',
  'Finn',
  'Greta',
  'Hugo',
  'Ines',
  'Jonas',
  'Kira',
  'Luca',
  'Mila',
  'Noah',
  'Olga',
  'Pau',
  'Rosa',
  'Sven',
  'Tara',
  'Yusuf',
];
const LAST = [
  'Berg',
  'Costa',
  'Dubois',
  'Engel',
  'Fischer',
  'García',
  'Haddad',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Laine',
  'Moreau',
  'Novak',
  'Okoro',
  'Petit',
  'Rossi',
];
/** The n-th made-up guest: a plausible name and its own e-mail. */
const person = (n: number) => {
  const name = `${FIRST[n % FIRST.length]} ${LAST[(n * 7) % LAST.length]}`;
  return {
    name,
    email: `${name
      .toLowerCase()
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .replace(' ', '.')}.${n}@example.com`,
  };
};

/**
 * Seeds a demo once per database: a club's week as an owner would see it on a Thursday. Tonight's
 * session is on (the door admits from the moment the demo starts): a full Gold table whose host
 * and half the guests are in, a second table still to arrive, GA guests, some of them in. Friday
 * and Saturday nights start at 23:00 local: Friday's Gold tables are sold out, Saturday is selling.
 * Later starts reuse it.
 */
export async function ensureDemo(deps: AppDeps): Promise<DemoInfo> {
  const db = deps.database.db;
  const existing = await findSetting(db, 'demo');
  if (existing) return JSON.parse(existing) as DemoInfo;

  for (const u of [DEMO_OWNER, DEMO_STAFF]) {
    if (!(await findUserByEmail(db, u.email))) await addUser(deps, u);
  }
  const owner = (await findUserByEmail(db, DEMO_OWNER.email))!;
  const staff = (await findUserByEmail(db, DEMO_STAFF.email))!;
  const now = deps.clock.now();
  const zone = deps.config.timeZone;
  const venue = { venueName: 'Velvet', venueAddress: 'Revaler Str. 99, 10245 Berlin' };
  const layout = {
    currency: 'EUR',
    ga: { priceCents: 2500, capacity: 400 },
    tiers: [
      { name: 'Gold', priceCents: 60000, capacity: 8, minSpendCents: 100000 },
      { name: 'Silver', priceCents: 30000, capacity: 6 },
    ],
    tables: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({
      number: n,
      tier: n <= 3 ? 'Gold' : 'Silver',
      x: 80 + ((n - 1) % 4) * 160,
      y: n <= 4 ? 90 : 260,
    })),
  };
  const session = tonightsSession(now, zone);
  const tonight = await createEvent(deps, owner.id, {
    name: session.name,
    details: {
      ...venue,
      description: 'Resident DJs on both floors. Tables come with bottle service; the door opens on the hour.',
    },
    startsAt: session.startsAt,
    endsAt: new Date(session.startsAt.getTime() + 7 * HOUR),
    ...layout,
  });
  const fridayAt = nextNight(now, FRIDAY, 23, zone);
  const friday = await createEvent(deps, owner.id, {
    name: 'Friday: Deep Velvet with Marlowe',
    details: {
      ...venue,
      description: 'Marlowe plays deep house from 01:00 until close.\nOver 18s only; photo ID at the door.',
    },
    startsAt: fridayAt,
    endsAt: new Date(fridayAt.getTime() + 6 * HOUR),
    ...layout,
  });
  const saturdayAt = nextNight(now, SATURDAY, 23, zone);
  const saturday = await createEvent(deps, owner.id, {
    name: 'Saturday: The Gold Room',
    details: { ...venue, description: 'Disco and classics in the Gold Room. Dress up.' },
    startsAt: saturdayAt,
    endsAt: new Date(saturdayAt.getTime() + 6 * HOUR),
    ...layout,
  });

  let n = 0;
  const buy = async (eventId: string, gaQuantity: number, tableId?: string, who?: { name: string; email: string }) => {
    const buyer = who ?? person(n++);
    const holderNames = [buyer.name, ...Array.from({ length: gaQuantity - 1 }, () => person(n++).name)];
    const placed = await placeOrder(deps, {
      eventId,
      email: buyer.email,
      name: buyer.name,
      gaQuantity,
      tableId,
      holderNames,
    });
    await payLocal(deps, placed.order.id);
    return { orderId: placed.order.id, tickets: await listOrderTickets(db, placed.order.id) };
  };
  // Guests joined the table with its invite earlier in the day, before the doors opened.
  const linkedBefore = new Date(session.startsAt.getTime() - 3 * HOUR);
  const link = (ticketId: string, reservationId: string) =>
    runLink(deps, (tx) =>
      linkTicket(tx, linkedBefore, { ticketId, reservationId, actor: 'guest', userId: null, overrideCapacity: false }),
    );
  const admit = (ticketId: string, scannerId: string) =>
    scanTicket(deps, { qr: null, ticketId, scannerId, eventId: tonight.id, userId: staff.id, nonce: null });

  // Tonight: Victor's Gold table is full (8 people), he and four guests are in.
  const vip = await buy(tonight.id, 1, tonight.tables[0]!.id, {
    name: 'Victor Hale',
    email: 'victor.hale@example.com',
  });
  const reservationId = (await findHostReservation(db, vip.tickets[0]!.id))!.reservationId;
  const guests = [];
  for (let i = 0; i < 7; i++) guests.push((await buy(tonight.id, 1)).tickets[0]!);
  for (const g of guests) await link(g.id, reservationId);
  await admit(vip.tickets[0]!.id, 'door-1');
  for (const g of guests.slice(0, 4)) await admit(g.id, 'door-1');
  // A second Gold table and a Silver one, still to arrive; GA in small groups, a third of it in.
  await buy(tonight.id, 3, tonight.tables[1]!.id);
  await buy(tonight.id, 2, tonight.tables[4]!.id);
  const ga = [];
  for (const size of [2, 1, 4, 2, 3, 1, 2, 2, 1, 3]) ga.push(...(await buy(tonight.id, size)).tickets);
  for (const [i, t] of ga.entries()) if (i % 3 === 0) await admit(t.id, i % 2 ? 'door-1' : 'door-2');

  // Friday: every Gold table sold, Silver selling, GA well under way.
  for (const table of friday.tables.slice(0, 4)) await buy(friday.id, 2, table.id);
  for (const size of [4, 2, 2, 1, 3, 2]) await buy(friday.id, size);
  // Saturday: the first table and a few GA.
  await buy(saturday.id, 2, saturday.tables[0]!.id);
  for (const size of [2, 1, 2]) await buy(saturday.id, size);

  const info: DemoInfo = {
    eventId: tonight.id,
    upcomingEventId: friday.id,
    orderId: vip.orderId,
    hostTicketId: vip.tickets[0]!.id,
  };
  await getOrCreateSetting(db, 'demo', () => JSON.stringify(info));
  return info;
}
