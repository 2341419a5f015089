import { db, type SavedOrder } from './db.js';

export type { SavedOrder };

export async function saveOrder(o: SavedOrder): Promise<void> {
  const d = await db();
  const existing = await d.get('orders', o.orderId);
  // An invite remembered at checkout survives the order page saving the order again.
  await d.put('orders', { ...existing, ...o, invite: o.invite ?? existing?.invite });
}

export async function savedOrder(orderId: string): Promise<SavedOrder | undefined> {
  return (await db()).get('orders', orderId);
}

export async function forgetInvite(orderId: string): Promise<void> {
  const d = await db();
  const o = await d.get('orders', orderId);
  if (o?.invite) await d.put('orders', { ...o, invite: undefined });
}

/** This device's orders, the newest night first. */
export async function savedOrders(eventId?: string): Promise<SavedOrder[]> {
  const d = await db();
  const all = eventId ? await d.getAllFromIndex('orders', 'byEvent', eventId) : await d.getAll('orders');
  return all.sort((a, b) => b.startsAt.localeCompare(a.startsAt));
}

/** `#token=…` of an order link: the capability travels in the fragment, which browsers never send. */
export function tokenFromHash(hash: string): string | null {
  const m = /[#&]token=([A-Za-z0-9_-]+)/.exec(hash);
  return m ? m[1]! : null;
}

/** An order link pasted by a guest: `…/orders/<id>#token=<token>`. */
export function parseOrderLink(text: string): { orderId: string; token: string } | null {
  const m = /\/orders\/([0-9a-f-]{36})[^#]*#(?:.*&)?token=([A-Za-z0-9_-]+)/i.exec(text.trim());
  return m ? { orderId: m[1]!.toLowerCase(), token: m[2]! } : null;
}
