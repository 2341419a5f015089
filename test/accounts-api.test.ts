import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefused as refused } from './support/refused.js';
import { bearer, startTestApp, type TestContext } from './support/harness.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp({ env: { VELVET_LOGIN_ATTEMPTS_PER_MINUTE: '1000' } });
});
afterAll(() => ctx.close());

const asOwner = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, token = ctx.ownerToken) =>
  ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

async function login(email: string, password: string) {
  return ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
}

/** A call only a valid staff login may make: the list of events. */
const staffCall = (token: string) => ctx.app.inject({ url: '/api/v1/events', headers: bearer(token) });

const expectRefused = (send: () => Promise<LightMyRequestResponse>, status: number, code: string) =>
  refused(ctx, send, status, code);

describe('accounts from the dashboard', () => {
  it('the owner adds a door worker who can log in at once, lists accounts, and disabling ends that login immediately', async () => {
    const add = await asOwner('POST', '/api/v1/users', {
      email: 'Door.Two@Example.com',
      password: 'door-pass-2',
      role: 'staff',
      name: 'Dana Door',
    });
    expect(add.statusCode, add.body).toBe(201);
    const account = add.json();
    expect(account).toMatchObject({ email: 'door.two@example.com', name: 'Dana Door', role: 'staff', disabled: false });

    const first = await login('door.two@example.com', 'door-pass-2');
    expect(first.statusCode, first.body).toBe(200);
    const token = first.json().token as string;
    expect((await staffCall(token)).statusCode).toBe(200);

    const list = await asOwner('GET', '/api/v1/users');
    expect(list.json().users.map((u: { email: string }) => u.email)).toContain('door.two@example.com');
    expect(list.body).not.toMatch(/password|scrypt/i);

    const off = await asOwner('PATCH', `/api/v1/users/${account.id}`, { disabled: true });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().disabled).toBe(true);
    const refused = await staffCall(token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.message).toMatch(/disabled|log in again/);
    expect((await login('door.two@example.com', 'door-pass-2')).json().error.message).toMatch(/disabled/);

    // Enabled again: a fresh login works; the old token stays dead (its epoch is gone).
    expect((await asOwner('PATCH', `/api/v1/users/${account.id}`, { disabled: false })).json().disabled).toBe(false);
    const again = await login('door.two@example.com', 'door-pass-2');
    expect(again.statusCode).toBe(200);
    expect((await staffCall(again.json().token)).statusCode).toBe(200);
    expect((await staffCall(token)).statusCode).toBe(401);
  });

  it('a password reset ends the open logins; the old password stops working, the new one works', async () => {
    const account = (
      await asOwner('POST', '/api/v1/users', { email: 'reset@example.com', password: 'first-pass', role: 'staff' })
    ).json();
    const old = (await login('reset@example.com', 'first-pass')).json().token as string;
    const res = await asOwner('PATCH', `/api/v1/users/${account.id}`, { password: 'second-pass' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await staffCall(old)).statusCode).toBe(401);
    expect((await login('reset@example.com', 'first-pass')).statusCode).toBe(401);
    expect((await login('reset@example.com', 'second-pass')).statusCode).toBe(200);
  });

  it('adds owners too; nobody disables their own account; an owner disables another, whose login ends', async () => {
    await expectRefused(() => asOwner('PATCH', `/api/v1/users/${ctx.ownerId}`, { disabled: true }), 409, 'own_account');
    const second = (
      await asOwner('POST', '/api/v1/users', { email: 'owner2@example.com', password: 'owner-two-pass', role: 'owner' })
    ).json();
    const third = (
      await asOwner('POST', '/api/v1/users', {
        email: 'owner3@example.com',
        password: 'owner-three-pass',
        role: 'owner',
      })
    ).json();
    const secondToken = (await login('owner2@example.com', 'owner-two-pass')).json().token as string;
    const thirdToken = (await login('owner3@example.com', 'owner-three-pass')).json().token as string;
    expect((await asOwner('PATCH', `/api/v1/users/${third.id}`, { disabled: true }, secondToken)).statusCode).toBe(200);
    expect((await staffCall(thirdToken)).statusCode).toBe(401);
    await expectRefused(
      () => asOwner('PATCH', `/api/v1/users/${second.id}`, { disabled: true }, secondToken),
      409,
      'own_account',
    );
  });

  it('refuses bad input, duplicates and non-owners, changing nothing', async () => {
    await expectRefused(
      () => asOwner('POST', '/api/v1/users', { email: 'not-an-email', password: 'long-enough', role: 'staff' }),
      400,
      'invalid_request',
    );
    await expectRefused(
      () => asOwner('POST', '/api/v1/users', { email: 'short@example.com', password: 'short', role: 'staff' }),
      400,
      'invalid_request',
    );
    await expectRefused(
      () => asOwner('POST', '/api/v1/users', { email: 'x@example.com', password: 'long-enough', role: 'king' }),
      400,
      'invalid_request',
    );
    await expectRefused(
      () => asOwner('POST', '/api/v1/users', { email: 'staff@test.local', password: 'long-enough', role: 'staff' }),
      409,
      'email_taken',
    );
    await expectRefused(
      () => asOwner('PATCH', `/api/v1/users/${ctx.staffId}`, { password: 'short' }),
      400,
      'invalid_request',
    );
    await expectRefused(
      () => asOwner('PATCH', '/api/v1/users/00000000-0000-4000-8000-000000000000', { disabled: true }),
      404,
      'not_found',
    );
    await expectRefused(() => asOwner('GET', '/api/v1/users', undefined, ctx.staffToken), 403, 'forbidden');
    await expectRefused(
      () =>
        asOwner(
          'POST',
          '/api/v1/users',
          { email: 'y@example.com', password: 'long-enough', role: 'owner' },
          ctx.staffToken,
        ),
      403,
      'forbidden',
    );
  });
  // Last: it disables the harness's owner, whose token the other tests use.
  it('two owners disabling each other at once: exactly one wins, the last enabled owner stays', async () => {
    const a = (
      await asOwner('POST', '/api/v1/users', { email: 'race-a@example.com', password: 'race-a-pass', role: 'owner' })
    ).json();
    const b = (
      await asOwner('POST', '/api/v1/users', { email: 'race-b@example.com', password: 'race-b-pass', role: 'owner' })
    ).json();
    const ta = (await login('race-a@example.com', 'race-a-pass')).json().token as string;
    const tb = (await login('race-b@example.com', 'race-b-pass')).json().token as string;
    // Leave only a and b enabled.
    const users: Array<{ id: string; role: string; disabled: boolean }> = (
      await asOwner('GET', '/api/v1/users', undefined, ta)
    ).json().users;
    for (const o of users.filter((u) => u.role === 'owner' && !u.disabled && u.id !== a.id && u.id !== b.id)) {
      expect((await asOwner('PATCH', `/api/v1/users/${o.id}`, { disabled: true }, ta)).statusCode).toBe(200);
    }
    const [ra, rb] = await Promise.all([
      asOwner('PATCH', `/api/v1/users/${b.id}`, { disabled: true }, ta),
      asOwner('PATCH', `/api/v1/users/${a.id}`, { disabled: true }, tb),
    ]);
    const statuses = [ra.statusCode, rb.statusCode].sort();
    // One disabled the other; the other was refused: the last owner (409), or its login had just ended (401).
    expect(statuses[0]).toBe(200);
    expect([401, 409]).toContain(statuses[1]);
    const winner = ra.statusCode === 200 ? ta : tb;
    const owners: Array<{ role: string; disabled: boolean }> = (
      await asOwner('GET', '/api/v1/users', undefined, winner)
    ).json().users;
    expect(owners.filter((u) => u.role === 'owner' && !u.disabled)).toHaveLength(1);
  });
});
