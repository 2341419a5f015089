import { describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { FloorFeed } from './floor-feed.js';

/** A database whose LISTEN fails until told otherwise, and whose reconnects the test triggers. */
function flakyDatabase() {
  let up = false;
  let reconnect: (() => void) | undefined;
  const database = {
    listen: async (_channel: string, _onPayload: (p: string) => void, onReconnect?: () => void) => {
      if (!up) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      reconnect = onReconnect;
      return async () => {};
    },
  } as unknown as Database;
  return {
    database,
    up: () => (up = true),
    reconnect: () => reconnect?.(),
  };
}

describe('FloorFeed', () => {
  it('does not remember a failed first LISTEN: the next subscriber tries again', async () => {
    const db = flakyDatabase();
    const feed = new FloorFeed(db.database, () => {});
    const subscriber = { table: () => {}, resync: () => {} };
    await expect(feed.subscribe('e1', subscriber)).rejects.toThrow(/ECONNREFUSED/);
    db.up();
    await expect(feed.subscribe('e1', subscriber)).resolves.toBeTypeOf('function');
  });

  it('tells every subscriber to resync when the LISTEN connection comes back', async () => {
    const db = flakyDatabase();
    db.up();
    const feed = new FloorFeed(db.database, () => {});
    const resynced: string[] = [];
    await feed.subscribe('e1', { table: () => {}, resync: () => resynced.push('a') });
    const stop = await feed.subscribe('e2', { table: () => {}, resync: () => resynced.push('b') });
    stop();
    db.reconnect();
    expect(resynced).toEqual(['a']);
  });
});
