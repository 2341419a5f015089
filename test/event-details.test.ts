import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createEvent, startTestApp, type TestContext } from './support/harness.js';
import { dumpTables } from './support/snapshot.js';

/**
 * The buyer's page says where and what: the venue, its address, a description and a cover image
 * the owner uploads. The image is resized and stored by Velvet; a bad or huge file is refused in
 * words and changes nothing.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(() => ctx.close());

const put = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'PUT', url, headers: { ...bearer(ctx.ownerToken), ...headers }, payload: body as object });

describe("an event's venue, description and cover", () => {
  it('the owner sets the venue and description; anyone reads them; a bad one changes nothing', async () => {
    const event = await createEvent(ctx, { venue_name: 'The Vault', venue_address: 'Köpenicker Str. 70, Berlin' });
    expect(event).toMatchObject({
      venue_name: 'The Vault',
      venue_address: 'Köpenicker Str. 70, Berlin',
      description: '',
      cover_url: null,
    });
    const set = await put(`/api/v1/events/${event.id}/details`, {
      venue_name: ' The Vault ',
      venue_address: 'Köpenicker Str. 70, Berlin',
      description: 'House & disco.\nDoors 23:00.',
    });
    expect(set.statusCode, set.body).toBe(200);
    const seen = (await ctx.app.inject({ url: `/api/v1/events/${event.id}` })).json();
    expect(seen).toMatchObject({ venue_name: 'The Vault', description: 'House & disco.\nDoors 23:00.' });

    const before = await dumpTables(ctx.database.db);
    const bad = await put(`/api/v1/events/${event.id}/details`, {
      venue_name: 'The\u0000Vault',
      venue_address: '',
      description: '',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toHaveProperty('venue_name');
    const staff = await ctx.app.inject({
      method: 'PUT',
      url: `/api/v1/events/${event.id}/details`,
      headers: bearer(ctx.staffToken),
      payload: { venue_name: 'X', venue_address: '', description: '' },
    });
    expect(staff.statusCode).toBe(403);
    expect(await dumpTables(ctx.database.db)).toEqual(before);
  });

  it('a phone photo is turned upright, fitted within 1600 px, stored as WebP without its location, and served', async () => {
    const event = await createEvent(ctx);
    // 3000 x 2000 as stored, EXIF orientation 6 (taken upright: 2000 wide, 3000 tall), with GPS data.
    const photo = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#a33' } })
      .jpeg()
      .withMetadata({ orientation: 6, exif: { IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 30/1 0/1' } } })
      .toBuffer();
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    const res = await put(`/api/v1/events/${event.id}/cover`, photo, { 'content-type': 'image/jpeg' });
    expect(res.statusCode, res.body).toBe(200);
    const coverUrl = res.json().cover_url as string;
    expect(coverUrl).toMatch(new RegExp(`^/api/v1/events/${event.id}/cover\\?v=[\\w-]+$`));

    const served = await ctx.app.inject({ url: coverUrl });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/webp');
    expect(served.headers['cache-control']).toContain('immutable');
    const meta = await sharp(served.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 1067, height: 1600 });
    expect(meta.exif).toBeUndefined();
    // The public read of the event points at it; removing it clears it.
    expect((await ctx.app.inject({ url: `/api/v1/events/${event.id}` })).json().cover_url).toBe(coverUrl);
    const removed = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/events/${event.id}/cover`,
      headers: bearer(ctx.ownerToken),
    });
    expect(removed.json().cover_url).toBeNull();
    expect((await ctx.app.inject({ url: coverUrl })).statusCode).toBe(404);
  });

  it('refuses what is not a usable image, in words, and changes nothing', async () => {
    const event = await createEvent(ctx);
    const good = await sharp({ create: { width: 800, height: 450, channels: 3, background: '#333' } })
      .png()
      .toBuffer();
    expect((await put(`/api/v1/events/${event.id}/cover`, good, { 'content-type': 'image/png' })).statusCode).toBe(200);
    const before = await dumpTables(ctx.database.db);
    const cases: Array<[string, Buffer, string, number, string | RegExp]> = [
      ['text posing as a PNG', Buffer.from('hello, not a picture'), 'image/png', 400, 'not an image Velvet can read'],
      [
        'a cut-off JPEG',
        (
          await sharp({ create: { width: 800, height: 450, channels: 3, background: '#345' } })
            .jpeg()
            .toBuffer()
        ).subarray(0, 400),
        'image/jpeg',
        400,
        /image/,
      ],
      [
        'a thumbnail',
        await sharp({ create: { width: 100, height: 60, channels: 3, background: '#345' } })
          .png()
          .toBuffer(),
        'image/png',
        400,
        'a cover needs at least 320 x 160',
      ],
      [
        'a decompression bomb (8,000 x 8,000: 64 million pixels)',
        await sharp({ create: { width: 8000, height: 8000, channels: 3, background: '#000' } })
          .greyscale()
          .png({ compressionLevel: 9, palette: true, colours: 2 })
          .toBuffer(),
        'image/png',
        400,
        'at most 50 million',
      ],
      [
        'a GIF',
        await sharp({ create: { width: 800, height: 450, channels: 3, background: '#345' } })
          .gif()
          .toBuffer(),
        'image/gif',
        415,
        'unsupported_media_type',
      ],
      [
        'a GIF sent as a PNG',
        await sharp({ create: { width: 800, height: 450, channels: 3, background: '#345' } })
          .gif()
          .toBuffer(),
        'image/png',
        400,
        'JPEG, PNG or WebP',
      ],
      ['11 MB', Buffer.alloc(11 * 1024 * 1024, 1), 'image/jpeg', 413, 'payload_too_large'],
    ];
    for (const [what, bytes, type, status, words] of cases) {
      const res = await put(`/api/v1/events/${event.id}/cover`, bytes, { 'content-type': type });
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
      const error = res.json().error;
      if (status === 400) expect(error.code, what).toBe('invalid_image');
      expect(`${error.code} ${error.message}`, what).toMatch(words);
    }
    expect(await dumpTables(ctx.database.db)).toEqual(before);
  });
});
