import type { Text } from './i18n.js';
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CachedEvent, CachedTicket } from '@domain/scanner-cache.js';
import type { ScanResult } from '@domain/check-in.js';
import type { OrderView, PublicEvent } from '../buy/types.js';

/** A scan decided on this device while the server could not be reached, waiting to be synced. */
export interface QueuedScan {
  /** Auto-increment key: the order the door saw them in. */
  seq?: number;
  eventId: string;
  scannerId: string;
  /** The code read by the camera or typed; absent for a manual admission picked by name. */
  qr?: string;
  ticketId?: string;
  scannedAt: string;
  offlineResult: ScanResult;
  /** Set when the scan was first tried online and no answer came: the server may have it already. */
  nonce?: string;
}

/** A disagreement the server reported when this door's offline scans were synced. */
export interface StoredConflict {
  id?: number;
  eventId: string;
  scannedAt: string;
  holderName: string | null;
  /** Words (said in the reader's language when shown), or a message as it came. */
  message: Text;
}

export interface CacheMeta {
  eventId: string;
  event: CachedEvent;
  publicKey: string;
  /** The server's `generated_at`: the next refresh asks `?since=` this. */
  generatedAt: string;
  /** When this device last heard from the server (device clock), for "synced N min ago". */
  refreshedAt: string;
  reentryWarningSeconds: number;
}

interface VelvetDb extends DBSchema {
  kv: { key: string; value: unknown };
  meta: { key: string; value: CacheMeta };
  tickets: { key: [string, string]; value: CachedTicket & { eventId: string }; indexes: { byEvent: string } };
  queue: { key: number; value: QueuedScan; indexes: { byEvent: string } };
  conflicts: { key: number; value: StoredConflict; indexes: { byEvent: string } };
  orders: { key: string; value: SavedOrder; indexes: { byEvent: string } };
}

/** A buyer's order remembered on this device, so its page opens again without the mail. */
export interface SavedOrder {
  orderId: string;
  /** The order's manage token: a capability, kept only on the buyer's own device. */
  token: string;
  eventId: string;
  eventName: string;
  startsAt: string;
  /** An invite code the buyer came with: their ticket is linked to that table once paid. */
  invite?: string;
  savedAt: string;
  /** The order and its event as last seen online: the tickets open with no signal (at the door, in a basement). */
  view?: OrderView;
  event?: PublicEvent;
}

let opening: Promise<IDBPDatabase<VelvetDb>> | undefined;

/** The device's own store (IndexedDB): login, scanner cache, offline queue, conflicts, the buyer's orders. */
export function db(): Promise<IDBPDatabase<VelvetDb>> {
  opening ??= openDB<VelvetDb>('velvet', 2, {
    upgrade(d, oldVersion) {
      if (oldVersion < 2) d.createObjectStore('orders', { keyPath: 'orderId' }).createIndex('byEvent', 'eventId');
      if (oldVersion >= 1) return;
      d.createObjectStore('kv');
      d.createObjectStore('meta', { keyPath: 'eventId' });
      d.createObjectStore('tickets', { keyPath: ['eventId', 'id'] }).createIndex('byEvent', 'eventId');
      d.createObjectStore('queue', { keyPath: 'seq', autoIncrement: true }).createIndex('byEvent', 'eventId');
      d.createObjectStore('conflicts', { keyPath: 'id', autoIncrement: true }).createIndex('byEvent', 'eventId');
    },
  });
  return opening;
}

export async function kvGet<T>(key: string): Promise<T | undefined> {
  return (await (await db()).get('kv', key)) as T | undefined;
}

export async function kvSet(key: string, value: unknown): Promise<void> {
  await (await db()).put('kv', value, key);
}

export async function kvDelete(key: string): Promise<void> {
  await (await db()).delete('kv', key);
}

let ticketListsEpoch = 0;

/**
 * Which generation of ticket lists this device is on: it changes when they are forgotten (a log
 * out). A writer checks it is still on the generation it started in, then opens its transaction
 * at once: IndexedDB runs transactions in the order they were opened, so a write either comes
 * before the clear or does not happen.
 */
export const currentTicketListsEpoch = () => ticketListsEpoch;

/**
 * Forgets every event's ticket list on this device (names, hosts, tables) and the conflicts that
 * name people: what a logged-out phone must not keep. Offline scans not yet synced stay queued
 * (they name no one): the next login on this device sends them.
 */
export async function forgetTicketLists(): Promise<void> {
  // Bumped first: a door screen still winding down (its refresh in flight when the login ended)
  // sees it and writes nothing more, so nothing lands after the clear below.
  ticketListsEpoch++;
  const tx = (await db()).transaction(['tickets', 'meta', 'conflicts'], 'readwrite');
  await Promise.all([
    tx.objectStore('tickets').clear(),
    tx.objectStore('meta').clear(),
    tx.objectStore('conflicts').clear(),
    tx.done,
  ]);
}
