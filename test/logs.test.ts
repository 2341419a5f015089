import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { hashManageToken } from '../src/auth/capability.js';
import { addUser } from '../src/services/accounts/accounts.service.js';
import { loggerOptions } from '../src/http/logging.js';
import { openDoors } from './support/door.js';
import { bearer, eventBody, startTestApp, type TestContext } from './support/harness.js';

/**
 * A whole night through the API with the server logging at `info` and at `debug`: logins, an
 * event, a table and GA bought and paid, the order read with `?token=`, a QR drawn, a guest
 * linked, scans, a cancellation. Every secret the night handled is then searched for in the log:
 * none may appear. A query that fails logs its statement, not its values.
 */
const contexts: TestContext[] = [];
afterAll(async () => {
  for (const c of contexts) await c.close();
});

async function night(level: 'info' | 'debug') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const ctx = await startTestApp({ logger: { ...(loggerOptions(level) as object), stream } });
  contexts.push(ctx);
  const secrets: string[] = [];
  const password = 'correct-horse-battery';
  await addUser(ctx.deps, { email: 'door@logs.test', password, role: 'staff' });
  secrets.push(password, ctx.ownerToken);
  const login = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: 'door@logs.test', password },
  });
  const staff = login.json().token as string;
  secrets.push(staff);

  const event = (
    await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: bearer(ctx.ownerToken),
      payload: eventBody(),
    })
  ).json();
  const table = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/events/${event.id}/orders`,
    payload: { email: 'host@logs.test', name: 'Host', ga_quantity: 1, table_id: event.tables[0].id },
  });
  const ga = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/events/${event.id}/orders`,
    payload: { email: 'guest@logs.test', name: 'Guest', ga_quantity: 1 },
  });
  const orders = [table.json(), ga.json()];
  for (const o of orders) {
    secrets.push(o.manage_token, hashManageToken(o.manage_token));
    await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${o.order_id}/pay-local`,
      headers: bearer(o.manage_token),
    });
  }
  const [hostView, guestView] = await Promise.all(
    orders.map(async (o) =>
      (await ctx.app.inject({ url: `/api/v1/orders/${o.order_id}?token=${o.manage_token}` })).json(),
    ),
  );
  for (const v of [hostView, guestView]) for (const t of v.tickets) secrets.push(t.qr);
  await ctx.app.inject({ url: `/api/v1/tickets/${hostView.tickets[0].id}/qr.svg?token=${orders[0].manage_token}` });
  await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/tickets/${guestView.tickets[0].id}/link`,
    headers: bearer(orders[1].manage_token),
    payload: { invite_code: hostView.reservation.invite_code },
  });
  // The token however its name is encoded, the invite code in a path, and what the owner searched.
  await ctx.app.inject({ url: `/api/v1/orders/${orders[1].order_id}?%74oken=${orders[1].manage_token}` });
  await ctx.app.inject({ url: `/api/v1/orders/${orders[1].order_id}?TOKEN=${orders[1].manage_token}&x=1` });
  await ctx.app.inject({ url: `/api/v1/invites/${hostView.reservation.invite_code}` });
  await ctx.app.inject({ url: `/api/v1/%69nvites/${hostView.reservation.invite_code.toLowerCase()}` });
  await ctx.app.inject({ url: `/i/${hostView.reservation.invite_code}` });
  const searched = 'Someone-Searched-For-This-Name';
  await ctx.app.inject({ url: `/api/v1/events/${event.id}/orders?q=${searched}`, headers: bearer(ctx.ownerToken) });
  secrets.push(hostView.reservation.invite_code, hostView.reservation.invite_code.toLowerCase(), searched);
  await ctx.app.inject({ url: `/api/v1/events/${event.id}/scanner-cache?token=${staff}` });
  openDoors(ctx, event);
  for (const t of [hostView.tickets[0], guestView.tickets[0]]) {
    await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/scans',
      headers: bearer(staff),
      payload: { qr: t.qr, scanner_id: 'door-1', event_id: event.id, nonce: `n-${t.id}` },
    });
  }
  // A second event, cancelled with its confirmation token.
  const later = (
    await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: bearer(ctx.ownerToken),
      payload: eventBody({ starts_at: '2030-07-01T22:00:00Z', ends_at: '2030-07-02T05:00:00Z' }),
    })
  ).json();
  const preview = (
    await ctx.app.inject({ url: `/api/v1/events/${later.id}/cancellation`, headers: bearer(ctx.ownerToken) })
  ).json();
  secrets.push(preview.confirmation_token);
  await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/events/${later.id}/cancel`,
    headers: bearer(ctx.ownerToken),
    payload: { confirmation_token: preview.confirmation_token },
  });
  // Wrong credentials are logged as refusals, not as the credential.
  const wrong = 'wrong-password-xyz';
  secrets.push(wrong);
  await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: 'door@logs.test', password: wrong },
  });
  // A failing query, as any bug would make one: the statement is logged, its value is not.
  const value = 'secret-value-in-a-query@logs.test';
  try {
    await ctx.database.db.execute(sql`SELECT ${value}::int`);
  } catch (err) {
    ctx.app.log.error({ err }, 'query failed');
  }
  return { log: lines.join(''), secrets, value };
}

describe('logs', () => {
  it.each(['info', 'debug'] as const)(
    'a whole night at LOG_LEVEL=%s: no password, token, manage token, token hash or QR code in the log',
    async (level) => {
      const { log, secrets, value } = await night(level);
      expect(log.length).toBeGreaterThan(200);
      for (const secret of secrets) {
        expect(typeof secret === 'string' && secret.length >= 8, 'a secret was collected').toBe(true);
        expect(log.includes(secret), `the log contains a secret (${secret.slice(0, 6)}…)`).toBe(false);
      }
      // The failed query: statement there, value gone.
      expect(log).toContain('query failed');
      expect(log).toContain('::int');
      expect(log).not.toContain(value);
      expect(log).toContain('token=[redacted]');
      expect(log).toContain('/api/v1/invites/[redacted]');
    },
  );
});
