import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createEvent,
  payOrder,
  placeOrder,
  startTestApp,
  type EventInfo,
  type TestContext,
} from './support/harness.js';
import { SseReader } from './support/sse.js';
import { ACCOUNT_STATE_TTL_MS } from '../src/auth/account-gate.js';
import { signSessionToken } from '../src/auth/session-tokens.js';
import { insertUser } from '../src/db/repos/users.repo.js';

let ctx: TestContext;
let base: string;
let event: EventInfo;

beforeAll(async () => {
  ctx = await startTestApp();
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  event = await createEvent(ctx);
});
afterAll(() => ctx.close());

type Table = { id: string; number: number; status: string };

describe('live floor plan (SSE)', () => {
  it('sends a snapshot, then each table change as it commits', async () => {
    const abort = new AbortController();
    const res = await fetch(`${base}/api/v1/events/${event.id}/floor-plan/stream?token=${ctx.ownerToken}`, {
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const stream = new SseReader(res);
    try {
      const snapshot = await stream.next();
      expect(snapshot.event).toBe('snapshot');
      expect((snapshot.data as { tables: Table[] }).tables.map((t) => t.status)).toEqual([
        'available',
        'available',
        'available',
      ]);

      const table = event.tables[1]!;
      const order = await placeOrder(ctx, event.id, { table_id: table.id });
      const held = await stream.next();
      expect(held.event).toBe('table');
      expect(held.data).toMatchObject({ id: table.id, number: 2, status: 'held', host_arrived: false });

      await payOrder(ctx, order);
      expect((await stream.next()).data).toMatchObject({ id: table.id, status: 'reserved' });
      // A GA order touches no table: the next message is the next table change, nothing in between.
      await placeOrder(ctx, event.id, { ga_quantity: 2 });
      await placeOrder(ctx, event.id, { table_id: event.tables[2]!.id });
      expect((await stream.next()).data).toMatchObject({ id: event.tables[2]!.id, status: 'held' });
    } finally {
      abort.abort();
    }
  });

  it('takes the token in the Authorization header too, and refuses without one', async () => {
    const anon = await fetch(`${base}/api/v1/events/${event.id}/floor-plan/stream`);
    expect(anon.status).toBe(401);
    const buyer = await placeOrder(ctx, event.id);
    const asBuyer = await fetch(`${base}/api/v1/events/${event.id}/floor-plan/stream`, {
      headers: bearer(buyer.manage_token),
    });
    expect(asBuyer.status).toBe(403);
    const abort = new AbortController();
    const res = await fetch(`${base}/api/v1/events/${event.id}/floor-plan/stream`, {
      headers: bearer(ctx.staffToken),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect((await new SseReader(res).next()).event).toBe('snapshot');
    abort.abort();
    const unknown = await fetch(
      `${base}/api/v1/events/00000000-0000-4000-8000-000000000000/floor-plan/stream?token=${ctx.staffToken}`,
    );
    expect(unknown.status).toBe(404);
  });

  it(
    'ends a staff stream within seconds once the account is disabled, or its password reset',
    { timeout: 30_000 },
    async () => {
      for (const change of [{ disabled: true }, { password: 'a-new-password-1' }]) {
        const staff = (await insertUser(ctx.database.db, {
          email: `watcher-${Object.keys(change)[0]}@test.local`,
          passwordHash: 'x',
          role: 'staff',
        }))!;
        const token = signSessionToken(ctx.deps.keys.sessionSecret, {
          sub: staff.id,
          role: 'staff',
          exp: Math.floor(Date.parse('2100-01-01') / 1000),
        });
        const res = await fetch(`${base}/api/v1/events/${event.id}/floor-plan/stream?token=${token}`);
        const stream = new SseReader(res);
        expect((await stream.next()).event).toBe('snapshot');
        const changed = await ctx.app.inject({
          method: 'PATCH',
          url: `/api/v1/users/${staff.id}`,
          headers: bearer(ctx.ownerToken),
          payload: change,
        });
        expect(changed.statusCode, changed.body).toBe(200);
        const started = Date.now();
        await stream.closed();
        // Within the account check's few seconds (ACCOUNT_STATE_TTL_MS), like every other request.
        expect(Date.now() - started).toBeLessThan(ACCOUNT_STATE_TTL_MS + 2_000);
        expect((await fetch(`${base}/api/v1/events/${event.id}/floor-plan/stream?token=${token}`)).status).toBe(401);
      }
    },
  );
});
