import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/services/accounts/accounts.service.js';
import { linkTicket } from './support/guests.js';
import { buyPaid, createEvent, startTestApp, type TestContext } from './support/harness.js';
import { dumpTables } from './support/snapshot.js';

/** Guessable secrets (passwords, 40-bit invite codes) may only be guessed slowly. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp({ env: { VELVET_LOGIN_ATTEMPTS_PER_MINUTE: '5', VELVET_INVITE_ATTEMPTS_PER_MINUTE: '4' } });
});
afterAll(() => ctx.close());

const login = (password: string) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'limit@club.example', password } });

describe('rate limits', () => {
  it('login: after 5 attempts a minute from one address, even the right password waits', async () => {
    await addUser(ctx.deps, { email: 'limit@club.example', password: 'right password', role: 'staff' });
    for (let i = 0; i < 4; i++) expect((await login(`wrong ${i}`)).statusCode).toBe(401);
    expect((await login('right password')).statusCode).toBe(200);
    const limited = await login('right password');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('invite codes: a ticket gets 4 tries a minute; other tickets are not held back', async () => {
    const event = await createEvent(ctx);
    const host = await buyPaid(ctx, event.id, { table_id: event.tables[0]!.id });
    const guesser = await buyPaid(ctx, event.id, { name: 'Guesser', email: 'guess@example.com' });
    const honest = await buyPaid(ctx, event.id, { name: 'Honest', email: 'honest@example.com' });
    const ticket = guesser.view.tickets[0]!.id;
    // The same ticket written in other letter cases is the same ticket, and the same budget.
    const spellings = [
      ticket,
      ticket.toUpperCase(),
      ticket.replace(/[a-f]/, (c) => c.toUpperCase()),
      ticket.replace(/[a-f]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c)),
    ];
    for (const [i, code] of ['AAAAAAAA', 'BBBBBBBB', 'CCCCCCCC', 'DDDDDDDD'].entries()) {
      const res = await linkTicket(ctx, spellings[i]!, guesser.manage_token, code);
      expect(res.json().error.code).toBe('invalid_invite');
    }
    const before = await dumpTables(ctx.database.db);
    const limited = await linkTicket(
      ctx,
      ticket.toUpperCase(),
      guesser.manage_token,
      host.view.reservation!.invite_code,
    );
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(await dumpTables(ctx.database.db)).toEqual(before);

    const ok = await linkTicket(
      ctx,
      honest.view.tickets[0]!.id,
      honest.manage_token,
      host.view.reservation!.invite_code,
    );
    expect(ok.statusCode, ok.body).toBe(200);
  });
});
