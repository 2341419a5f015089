import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTicket } from '../src/db/repos/tickets.repo.js';
import { onPostgres } from './support/database.js';
import { openDoors, scanRows } from './support/door.js';
import { bearer, buyPaid, createEvent, startTestApp, type TestContext } from './support/harness.js';

/**
 * A row held for longer than lock_timeout (VELVET_DB_LOCK_TIMEOUT_MS, short here) makes the waiting request give up: the door gets a
 * clear, retryable answer instead of a 500, and nothing is written.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp({ poolSize: 4, lockTimeoutMs: 200 });
});
afterAll(() => ctx.close());

describe.runIf(onPostgres)('a ticket locked for too long (PostgreSQL)', () => {
  it('answers 503 busy with Retry-After, and logs no scan', async () => {
    const event = await createEvent(ctx);
    const order = await buyPaid(ctx, event.id);
    const ticket = order.view.tickets[0]!;
    openDoors(ctx, event);
    let answer:
      { statusCode: number; headers: Record<string, unknown>; json: () => { error: { code: string } } } | undefined;
    await ctx.database.transaction(async (tx) => {
      await findTicket(tx, ticket.id, { lock: true });
      answer = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/scans',
        headers: bearer(ctx.staffToken),
        payload: { qr: ticket.qr, scanner_id: 'door-1', event_id: event.id },
      });
    });
    expect(answer!.statusCode).toBe(503);
    expect(answer!.json().error.code).toBe('busy');
    expect(answer!.headers['retry-after']).toBe('1');
    expect(await scanRows(ctx, ticket.id)).toHaveLength(0);
  });
});
