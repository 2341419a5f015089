import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, jwtVerify, importSPKI } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { MailTransport, OutgoingMail } from '../src/mail/transport.js';
import { processDueMails } from '../src/services/mail/mail-worker.service.js';
import { loadWallets } from '../src/wallet/wallets.js';
import { buyTable } from './support/door.js';
import { makeWalletCredentials } from './support/wallet-credentials.js';
import { startFakeApns } from './support/fake-apns.js';
import { startFakeGoogleWallet } from './support/fake-google-wallet.js';
import { openDoors, scan } from './support/door.js';
import { pushPassUpdates, updateGoogleObjects } from '../src/services/wallet/pass-updates.service.js';
import { X509Certificate } from 'node:crypto';
import { bearer, buyPaid, createEvent, placeOrder, startTestApp, T0, type TestContext } from './support/harness.js';

/**
 * Wallet passes against a throwaway chain made here with openssl (a root standing in for Apple's,
 * a "WWDR" intermediate under it, a Pass Type ID certificate under that) and a throwaway RSA
 * service-account key: the .pkpass unzips, its manifest's hashes match, its signature verifies
 * with `openssl smime -verify` against the chain, and pass.json carries the ticket's own code;
 * the Google link's JWT verifies with the key's public half and carries the same code.
 */
let dir: string;
let ctx: TestContext;
let plain: TestContext;
let googlePublic: string;
let env: Record<string, string>;
let apns: Awaited<ReturnType<typeof startFakeApns>>;
let google: Awaited<ReturnType<typeof startFakeGoogleWallet>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'velvet-wallet-'));
  ({ env, googlePublic } = makeWalletCredentials(dir));
  apns = await startFakeApns(dir);
  google = await startFakeGoogleWallet(googlePublic);
  ctx = await startTestApp({
    env: { ...env, VELVET_APNS_URL: apns.url, VELVET_APNS_CA_FILE: apns.caFile, ...google.env },
  });
  plain = await startTestApp();
});
afterAll(async () => {
  await apns?.close();
  await google?.close();
  await ctx?.close();
  await plain?.close();
  rmSync(dir, { recursive: true, force: true });
});

function unzip(pkpass: Buffer, into: string): Record<string, Buffer> {
  const zip = join(dir, `${into}.pkpass`);
  writeFileSync(zip, pkpass);
  execFileSync('unzip', ['-q', '-o', zip, '-d', join(dir, into)]);
  // Files by their path in the pass ("de.lproj/pass.strings"); directories are not files.
  return Object.fromEntries(
    readdirSync(join(dir, into), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const path = join(e.parentPath, e.name);
        return [path.slice(join(dir, into).length + 1), readFileSync(path)];
      }),
  );
}

describe('wallet passes', () => {
  it('a VIP host gets a signed .pkpass: manifest hashes match, the signature verifies against the chain, pass.json carries the code, table and tier', async () => {
    const event = await createEvent(ctx, {
      name: 'Vault Friday',
      venue_name: 'The Vault',
      venue_address: 'Köpenicker Str. 70, Berlin',
    });
    const { order, host } = await buyTable(ctx, event, 1, 'Hanna Host');
    const res = await ctx.app.inject({ url: `/api/v1/tickets/${host.id}/wallet.pkpass?token=${order.manage_token}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.apple.pkpass');
    const files = unzip(res.rawPayload, 'host');
    const strings = ['de', 'en', 'es', 'fr'].map((l) => `${l}.lproj/pass.strings`);
    expect(Object.keys(files).sort()).toEqual([
      ...strings,
      'icon.png',
      'icon@2x.png',
      'icon@3x.png',
      'manifest.json',
      'pass.json',
      'signature',
    ]);
    const manifest = JSON.parse(files['manifest.json']!.toString()) as Record<string, string>;
    for (const [name, hash] of Object.entries(manifest))
      expect(createHash('sha1').update(files[name]!).digest('hex'), name).toBe(hash);
    expect(Object.keys(manifest).sort()).toEqual([...strings, 'icon.png', 'icon@2x.png', 'icon@3x.png', 'pass.json']);
    // The signature: PKCS #7 over the manifest, by the Pass Type ID certificate, chained to the root.
    execFileSync(
      'openssl',
      [
        'smime',
        '-verify',
        '-in',
        join(dir, 'host', 'signature'),
        '-inform',
        'DER',
        '-content',
        join(dir, 'host', 'manifest.json'),
        '-CAfile',
        join(dir, 'root.pem'),
        '-purpose',
        'any',
        '-out',
        '/dev/null',
      ],
      { stdio: 'pipe' },
    );
    // Another manifest does not verify: the check is real.
    writeFileSync(
      join(dir, 'host', 'forged.json'),
      files['manifest.json']!.toString().replace(/"pass.json":"[0-9a-f]+"/, '"pass.json":"0000"'),
    );
    expect(() =>
      execFileSync(
        'openssl',
        [
          'smime',
          '-verify',
          '-in',
          join(dir, 'host', 'signature'),
          '-inform',
          'DER',
          '-content',
          join(dir, 'host', 'forged.json'),
          '-CAfile',
          join(dir, 'root.pem'),
          '-purpose',
          'any',
          '-out',
          '/dev/null',
        ],
        { stdio: 'pipe' },
      ),
    ).toThrow();

    const pass = JSON.parse(files['pass.json']!.toString());
    expect(pass).toMatchObject({
      passTypeIdentifier: 'pass.test.velvet',
      teamIdentifier: 'ABCDE12345',
      organizationName: 'The Vault',
      serialNumber: `${host.id}.0`,
      webServiceURL: 'http://velvet.test/api/passkit',
      authenticationToken: expect.stringMatching(/^[\w-]{40,}$/),
      barcodes: [{ format: 'PKBarcodeFormatQR', message: host.qr }],
      relevantDate: event.starts_at,
      eventTicket: {
        primaryFields: [{ value: 'Vault Friday' }],
        secondaryFields: [
          { key: 'holder', value: 'Hanna Host' },
          { key: 'table', value: '1 · Gold' },
        ],
      },
    });
    expect(pass.eventTicket.auxiliaryFields).toContainEqual(
      expect.objectContaining({ key: 'venue', value: 'The Vault, Köpenicker Str. 70, Berlin' }),
    );
    expect(pass.backgroundColor).toMatch(/^#[0-9a-f]{6}$/);
    expect(pass.voided).toBeUndefined();
    // The pass speaks the phone's language: pass.json in English, each language's words for them.
    expect(pass.eventTicket.primaryFields[0].label).toBe('EVENT');
    expect(pass.eventTicket.backFields[0].value).toBe('VIP host of table 1 (Gold)');
    const german = files['de.lproj/pass.strings']!.toString('utf8');
    expect(german).toContain('"EVENT" = "VERANSTALTUNG";');
    expect(german).toContain('"VIP host of table 1 (Gold)" = "VIP-Gastgeber an Tisch 1 (Gold)";');
    expect(files['fr.lproj/pass.strings']!.toString('utf8')).toContain('"At the door" = "À l’entrée";');
  });

  it('the Google link is a JWT that verifies with the key, for this ticket and its code; a transferred ticket gets its new code', async () => {
    const event = await createEvent(ctx);
    const buyer = await buyPaid(ctx, event.id, { name: 'Gus' });
    const ticket = buyer.view.tickets[0]!;
    const link = async (token: string) => {
      const res = await ctx.app.inject({ url: `/api/v1/tickets/${ticket.id}/wallet/google`, headers: bearer(token) });
      expect(res.statusCode, res.body).toBe(200);
      const url = res.json().save_url as string;
      expect(url).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\/[\w-]+\.[\w-]+\.[\w-]+$/);
      const { payload, protectedHeader } = await jwtVerify(
        url.split('/').pop()!,
        await importSPKI(googlePublic, 'RS256'),
        { issuer: 'velvet@club.iam.gserviceaccount.com', audience: 'google' },
      );
      expect(protectedHeader.alg).toBe('RS256');
      expect(payload).toMatchObject({ typ: 'savetowallet', origins: ['http://velvet.test'] });
      return (
        payload as {
          payload: {
            eventTicketObjects: Array<Record<string, unknown>>;
            eventTicketClasses: Array<Record<string, unknown>>;
          };
        }
      ).payload;
    };
    const first = await link(buyer.manage_token);
    expect(first.eventTicketClasses[0]).toMatchObject({
      id: `3388000000012345678.velvet-event-${event.id}`,
      eventName: { defaultValue: { value: 'Friday Night' } },
    });
    expect(first.eventTicketObjects[0]).toMatchObject({
      state: 'ACTIVE',
      ticketHolderName: 'Gus',
      barcode: { type: 'QR_CODE', value: ticket.qr },
    });

    const sent = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticket.id}/transfer`,
      headers: bearer(buyer.manage_token),
      payload: { email: 'gwen@example.com', name: 'Gwen' },
    });
    expect(sent.statusCode, sent.body).toBe(200);
    // The buyer no longer gets a pass for it; its new holder's carries the new code, as a new object.
    expect(
      (await ctx.app.inject({ url: `/api/v1/tickets/${ticket.id}/wallet/google`, headers: bearer(buyer.manage_token) }))
        .statusCode,
    ).toBe(403);
    const { holderTokenFor } = await import('../src/auth/capability.js');
    const second = await link(holderTokenFor(ctx.deps.keys.manageKey, ticket.id, 1).token);
    const object = second.eventTicketObjects[0]!;
    expect(object).toMatchObject({ ticketHolderName: 'Gwen', barcode: { value: expect.stringMatching(/^V2\./) } });
    expect(object.id).not.toBe(first.eventTicketObjects[0]!.id);
  });

  it('an unpaid ticket has no pass; a refunded one is marked void; without configuration there is none at all', async () => {
    const event = await createEvent(ctx);
    const pending = await placeOrder(ctx, event.id);
    const pendingTicket = (
      await ctx.app.inject({ url: `/api/v1/orders/${pending.order_id}`, headers: bearer(pending.manage_token) })
    ).json().tickets[0];
    const unpaid = await ctx.app.inject({
      url: `/api/v1/tickets/${pendingTicket.id}/wallet.pkpass`,
      headers: bearer(pending.manage_token),
    });
    expect(unpaid.statusCode).toBe(409);
    expect(unpaid.json().error.code).toBe('ticket_not_valid');

    const buyer = await buyPaid(ctx, event.id, { name: 'Rita' });
    const refund = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${buyer.order_id}/refund`,
      headers: bearer(ctx.ownerToken),
      payload: { amount_cents: 2000 },
    });
    expect(refund.statusCode, refund.body).toBe(202);
    const voided = await ctx.app.inject({
      url: `/api/v1/tickets/${buyer.view.tickets[0]!.id}/wallet.pkpass`,
      headers: bearer(buyer.manage_token),
    });
    expect(voided.statusCode).toBe(200);
    expect(JSON.parse(unzip(voided.rawPayload, 'void')['pass.json']!.toString())).toMatchObject({ voided: true });

    expect((await ctx.app.inject({ url: '/api/v1/config' })).json().wallets).toEqual({ apple: true, google: true });
    expect((await plain.app.inject({ url: '/api/v1/config' })).json().wallets).toEqual({ apple: false, google: false });
    const other = await buyPaid(plain, (await createEvent(plain)).id);
    for (const url of [
      `/api/v1/tickets/${other.view.tickets[0]!.id}/wallet.pkpass`,
      `/api/v1/tickets/${other.view.tickets[0]!.id}/wallet/google`,
    ]) {
      const res = await plain.app.inject({ url, headers: bearer(other.manage_token) });
      expect(res.statusCode).toBe(404);
    }
  });

  it("a Google pass names the table in the phone's language: every language Velvet speaks rides along", async () => {
    const { google } = await loadWallets(loadConfig({ VELVET_PUBLIC_URL: 'http://velvet.test', ...env }));
    const url = await google!.saveUrl({
      ticketId: '00000000-0000-4000-8000-000000000001',
      eventId: '00000000-0000-4000-8000-000000000002',
      generation: 0,
      code: 'V2.test',
      valid: true,
      holderName: 'Hanna Host',
      eventName: 'Vault Friday',
      startsAt: new Date(T0),
      endsAt: new Date(Date.parse(T0) + 6 * 3600_000),
      venue: '',
      table: { number: 7, tier: 'Gold', role: 'host' },
      colours: { background: '#222222', foreground: '#ffffff', label: '#cccccc' },
    });
    const { payload } = decodeJwt(url.split('/').pop()!) as {
      payload: { eventTicketObjects: Array<{ seatInfo: { section: unknown; seat: unknown } }> };
    };
    expect(payload.eventTicketObjects[0]!.seatInfo).toEqual({
      section: {
        defaultValue: { language: 'en', value: 'Table 7' },
        translatedValues: [
          { language: 'de', value: 'Tisch 7' },
          { language: 'es', value: 'Mesa 7' },
          { language: 'fr', value: 'Table 7' },
        ],
      },
      seat: { defaultValue: { language: 'en', value: 'Gold' } },
    });
  });

  it('a missing or wrong file, or a half-set wallet, stops the start naming the setting', async () => {
    const wallets = (overrides: Record<string, string | undefined>) =>
      loadWallets(loadConfig({ VELVET_PUBLIC_URL: 'http://velvet.test', ...env, ...overrides }));
    await expect(wallets({ VELVET_APPLE_PASS_CERT: join(dir, 'nope.pem') })).rejects.toThrow(
      /Invalid configuration: VELVET_APPLE_PASS_CERT: cannot read .*nope\.pem \(ENOENT\)/,
    );
    await expect(wallets({ VELVET_APPLE_PASS_KEY: join(dir, 'wwdr.key') })).rejects.toThrow(
      /Invalid configuration: VELVET_APPLE_PASS_KEY: .* is not the key of the certificate/,
    );
    await expect(wallets({ VELVET_APPLE_WWDR_CERT: join(dir, 'ca.ext') })).rejects.toThrow(
      /Invalid configuration: VELVET_APPLE_WWDR_CERT: .* not a PEM file/,
    );
    await expect(wallets({ VELVET_GOOGLE_WALLET_KEY_FILE: join(dir, 'root.pem') })).rejects.toThrow(
      /Invalid configuration: VELVET_GOOGLE_WALLET_KEY_FILE/,
    );
    expect(() => loadConfig({ ...env, VELVET_APPLE_TEAM_ID: undefined })).toThrow(
      /Invalid configuration: VELVET_APPLE_TEAM_ID: Apple wallet passes need/,
    );
  });

  it('the mails carry the wallet links only where the wallets are set up, and the links work', async () => {
    const mailed = async (c: TestContext) => {
      const sent: OutgoingMail[] = [];
      const transport: MailTransport = { destination: 'memory', send: async (m) => void sent.push(m), close: () => {} };
      while ((await processDueMails(c.deps, { transport, timeZone: 'UTC' })) > 0);
      return sent;
    };
    await mailed(ctx);
    const event = await createEvent(ctx);
    const buyer = await buyPaid(ctx, event.id, { name: 'Mia', email: 'mia@example.com' });
    const ticket = buyer.view.tickets[0]!;
    const [paid] = (await mailed(ctx)).filter((m) => m.to === 'mia@example.com');
    const apple =
      /Add your ticket to Apple Wallet: http:\/\/velvet\.test(\/api\/v1\/tickets\/[0-9a-f-]+\/wallet\.pkpass\?token=[\w-]+)/.exec(
        paid!.text,
      )?.[1];
    expect(apple).toContain(ticket.id);
    expect((await ctx.app.inject({ url: apple! })).statusCode).toBe(200);
    expect(paid!.text).toMatch(/Save your ticket to Google Wallet: https:\/\/pay\.google\.com\/gp\/v\/save\/\S+/);
    expect(paid!.html).toContain('Add to Apple Wallet</a>');

    const sentOn = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticket.id}/transfer`,
      headers: bearer(buyer.manage_token),
      payload: { email: 'max@example.com', name: 'Max' },
    });
    expect(sentOn.statusCode, sentOn.body).toBe(200);
    const [friend] = (await mailed(ctx)).filter((m) => m.to === 'max@example.com');
    const friendsPass = /Add it to Apple Wallet: http:\/\/velvet\.test(\S+)/.exec(friend!.text)?.[1];
    const pass = await ctx.app.inject({ url: friendsPass! });
    expect(pass.statusCode).toBe(200);
    expect(JSON.parse(unzip(pass.rawPayload, 'friend')['pass.json']!.toString()).barcodes[0].message).toMatch(/^V2\./);

    await mailed(plain);
    const other = await buyPaid(plain, (await createEvent(plain)).id, { email: 'nowallet@example.com' });
    expect(other.view.status).toBe('paid');
    const [plainMail] = (await mailed(plain)).filter((m) => m.to === 'nowallet@example.com');
    expect(plainMail!.text).not.toContain('Wallet');
    expect(plainMail!.html).not.toContain('Wallet');
  });

  it('a phone holding a pass hears when it changes (a new name, a transfer voids it), not when the ticket is scanned; the pass it fetches again is its own', async () => {
    const event = await createEvent(ctx);
    const buyer = await buyPaid(ctx, event.id, { name: 'Nina' });
    const ticket = buyer.view.tickets[0]!;
    const passOf = async (url: string, headers: Record<string, string> = {}) => {
      const res = await ctx.app.inject({ url, headers });
      expect(res.statusCode, res.body).toBe(200);
      return JSON.parse(unzip(res.rawPayload, `p${Math.random().toString(36).slice(2)}`)['pass.json']!.toString());
    };
    const first = await passOf(`/api/v1/tickets/${ticket.id}/wallet.pkpass?token=${buyer.manage_token}`);
    const serial = first.serialNumber as string;
    const applePass = { authorization: `ApplePass ${first.authenticationToken}` };
    const register = (device: string, s: string, headers: Record<string, string>, pushToken: string) =>
      ctx.app.inject({
        method: 'POST',
        url: `/api/passkit/v1/devices/${device}/registrations/pass.test.velvet/${s}`,
        headers,
        payload: { pushToken },
      });

    expect((await register('phone-1', serial, applePass, 'token-1')).statusCode).toBe(201);
    expect((await register('phone-1', serial, applePass, 'token-1')).statusCode).toBe(200);
    expect(
      (await register('phone-1', serial, { authorization: 'ApplePass wrong-token-wrong-token-wrong-token-wr' }, 'x'))
        .statusCode,
    ).toBe(401);
    expect((await register('phone-1', serial, {}, 'x')).statusCode).toBe(401);
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: `/api/passkit/v1/devices/phone-1/registrations/pass.other.type/${serial}`,
          headers: applePass,
          payload: { pushToken: 'x' },
        })
      ).statusCode,
    ).toBe(404);
    const listed = await ctx.app.inject({ url: '/api/passkit/v1/devices/phone-1/registrations/pass.test.velvet' });
    expect(listed.json()).toMatchObject({ serialNumbers: [serial] });
    const tag = listed.json().lastUpdated as string;
    expect(
      (
        await ctx.app.inject({
          url: `/api/passkit/v1/devices/phone-1/registrations/pass.test.velvet?passesUpdatedSince=${tag}`,
        })
      ).statusCode,
    ).toBe(204);

    // A new name: the phone is pushed (with the Pass Type ID certificate), the pass it fetches shows it.
    apns.pushes.length = 0;
    expect(
      (
        await ctx.app.inject({
          method: 'PATCH',
          url: `/api/v1/tickets/${ticket.id}`,
          headers: bearer(buyer.manage_token),
          payload: { holder_name: 'Nina Novak' },
        })
      ).statusCode,
    ).toBe(200);
    expect(await pushPassUpdates(ctx.deps)).toBe(1);
    const signer = new X509Certificate(readFileSync(env.VELVET_APPLE_PASS_CERT!)).fingerprint256;
    expect(apns.pushes).toEqual([{ token: 'token-1', topic: 'pass.test.velvet', body: '{}', clientCert: signer }]);
    const since = await ctx.app.inject({
      url: `/api/passkit/v1/devices/phone-1/registrations/pass.test.velvet?passesUpdatedSince=${tag}`,
    });
    expect(since.json()).toMatchObject({ serialNumbers: [serial] });
    expect(
      (await passOf(`/api/passkit/v1/passes/pass.test.velvet/${serial}`, applePass)).eventTicket.secondaryFields[0]
        .value,
    ).toBe('Nina Novak');
    expect((await ctx.app.inject({ url: `/api/passkit/v1/passes/pass.test.velvet/${serial}` })).statusCode).toBe(401);
    // Nothing changed since: nobody is pushed again.
    expect(await pushPassUpdates(ctx.deps)).toBe(0);

    // Sent to a friend: the buyer's phone is told, and fetches its own pass, now void with its old code.
    const sent = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticket.id}/transfer`,
      headers: bearer(buyer.manage_token),
      payload: { email: 'olly@example.com', name: 'Olly' },
    });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(await pushPassUpdates(ctx.deps)).toBe(1);
    const old = await passOf(`/api/passkit/v1/passes/pass.test.velvet/${serial}`, applePass);
    expect(old).toMatchObject({ voided: true, barcodes: [{ message: ticket.qr }] });
    expect(old.eventTicket.secondaryFields[0].value).toBe('Nina Novak');
    // The friend's own pass: a new serial, the new code.
    const { holderTokenFor } = await import('../src/auth/capability.js');
    const friends = await passOf(
      `/api/v1/tickets/${ticket.id}/wallet.pkpass?token=${holderTokenFor(ctx.deps.keys.manageKey, ticket.id, 1).token}`,
    );
    expect(friends).toMatchObject({
      serialNumber: `${ticket.id}.1`,
      barcodes: [{ message: expect.stringMatching(/^V2\./) }],
    });
    expect(friends.voided).toBeUndefined();
    expect(
      (
        await register(
          'phone-2',
          friends.serialNumber,
          { authorization: `ApplePass ${friends.authenticationToken}` },
          'token-2',
        )
      ).statusCode,
    ).toBe(201);
    // The old pass's token does not open the new one.
    expect(
      (
        await ctx.app.inject({
          url: `/api/passkit/v1/passes/pass.test.velvet/${friends.serialNumber}`,
          headers: applePass,
        })
      ).statusCode,
    ).toBe(401);

    // The night is renamed: both phones are told; a phone APNs no longer knows is forgotten.
    apns.gone.add('token-2');
    const renamed = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/events/${event.id}`,
      headers: bearer(ctx.ownerToken),
      payload: { name: 'Friday Night, moved' },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(await pushPassUpdates(ctx.deps)).toBe(2);
    expect(
      (await ctx.app.inject({ url: '/api/passkit/v1/devices/phone-2/registrations/pass.test.velvet' })).statusCode,
    ).toBe(204);

    // The door scans the friend in: the pass shows nothing of that, so no phone is woken mid-rush.
    expect(
      (
        await register(
          'phone-3',
          friends.serialNumber,
          { authorization: `ApplePass ${friends.authenticationToken}` },
          'token-3',
        )
      ).statusCode,
    ).toBe(201);
    openDoors(ctx, event);
    expect(await scan(ctx, friends.barcodes[0].message)).toMatchObject({ result: 'admitted' });
    apns.pushes.length = 0;
    expect(await pushPassUpdates(ctx.deps)).toBe(0);
    expect(apns.pushes).toEqual([]);

    // A pass removed from a phone is no longer pushed.
    const removed = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/passkit/v1/devices/phone-1/registrations/pass.test.velvet/${serial}`,
      headers: applePass,
    });
    expect(removed.statusCode).toBe(200);
    expect(
      (await ctx.app.inject({ url: '/api/passkit/v1/devices/phone-1/registrations/pass.test.velvet' })).statusCode,
    ).toBe(204);
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: '/api/passkit/v1/log',
          payload: { logs: ['Could not fetch pass'] },
        })
      ).statusCode,
    ).toBe(200);
  });

  it("a saved Google Wallet object is updated through the Wallet API when what it shows changes: a transfer voids the old holder's", async () => {
    ctx.clock.set(T0);
    const event = await createEvent(ctx);
    const buyer = await buyPaid(ctx, event.id, { name: 'Gail', ga_quantity: 2, holder_names: ['Gail', 'Hugo'] });
    const gail = buyer.view.tickets.find((t) => t.holder_name === 'Gail')!;
    const hugo = buyer.view.tickets.find((t) => t.holder_name === 'Hugo')!;
    const objectOf = async (ticketId: string) => {
      const url = (
        await ctx.app.inject({ url: `/api/v1/tickets/${ticketId}/wallet/google`, headers: bearer(buyer.manage_token) })
      ).json().save_url as string;
      const { payload } = await jwtVerify(url.split('/').pop()!, await importSPKI(googlePublic, 'RS256'));
      return (payload as { payload: { eventTicketObjects: Array<{ id: string }> } }).payload.eventTicketObjects[0]!.id;
    };
    // Gail opens her link (Google now has her object); Hugo's link is never opened.
    const gailsObject = await objectOf(gail.id);
    google.saved.add(gailsObject);
    await objectOf(hugo.id);
    await updateGoogleObjects(ctx.deps);
    google.patches.length = 0;

    const sent = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${gail.id}/transfer`,
      headers: bearer(buyer.manage_token),
      payload: { email: 'ivy@example.com', name: 'Ivy' },
    });
    expect(sent.statusCode, sent.body).toBe(200);
    await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/tickets/${hugo.id}`,
      headers: bearer(buyer.manage_token),
      payload: { holder_name: 'Hugo Hart' },
    });
    expect(await updateGoogleObjects(ctx.deps)).toBe(2);
    // Gail's saved object is void with her old code; Hugo's, never saved, is simply not there (no error).
    expect(google.patches).toEqual([
      {
        objectId: gailsObject,
        body: expect.objectContaining({
          state: 'INACTIVE',
          ticketHolderName: 'Gail',
          barcode: expect.objectContaining({ value: gail.qr }),
        }),
      },
    ]);
    expect(google.tokensIssued()).toBeGreaterThanOrEqual(1);
    // Nothing changed since: no call.
    expect(await updateGoogleObjects(ctx.deps)).toBe(0);
  });
});
