import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDoors } from './support/door.js';
import { buyPaid, createEvent, startTestApp, T0, type TestContext } from './support/harness.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(() => ctx.close());

const readInvite = (code: string) => ctx.app.inject({ url: `/api/v1/invites/${encodeURIComponent(code)}` });

describe('reading an invite (the guest page, before linking)', () => {
  it("tells anyone with the code whose table it is, at which night, and how full it is: the host's first name only", async () => {
    const event = await createEvent(ctx);
    const host = await buyPaid(ctx, event.id, {
      name: 'Hanna Maria Host',
      ga_quantity: 2,
      table_id: event.tables[2]!.id,
    });
    const code = host.view.reservation!.invite_code;
    // As people type it: lower case, a dash in the middle.
    const res = await readInvite(`${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      invite_code: code,
      event_id: event.id,
      event_name: 'Friday Night',
      starts_at: event.starts_at,
      time_zone: ctx.deps.config.timeZone,
      event_status: 'scheduled',
      table_number: 3,
      tier: 'Silver',
      host_first_name: 'Hanna',
      guest_places: 3,
      guests_linked: 1,
      reservation_status: 'confirmed',
      closed_reason: null,
    });
    expect(res.body).not.toContain('Maria');
    expect(res.body).not.toContain('@');

    openDoors(ctx, event, 0);
    try {
      expect((await readInvite(code)).json().closed_reason).toBe('guest_list_locked');
    } finally {
      ctx.clock.set(new Date(T0));
    }
  });

  it('answers 404 invalid_invite for a code no table has, and for what cannot be a code', async () => {
    for (const code of ['ZZZZZZZZ', 'hello', '0000OOOO']) {
      const res = await readInvite(code);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('invalid_invite');
    }
  });
});
