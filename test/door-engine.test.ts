import * as fakeIndexedDb from 'fake-indexeddb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DoorEngine } from '../web/src/door/engine.js';
import { openDoors, scanRows } from './support/door.js';
import { buyPaid, createEvent, T0, startTestApp, type EventInfo, type TestContext } from './support/harness.js';

/**
 * The door's engine (web/src/door/engine.ts) without a browser: IndexedDB from fake-indexeddb, the
 * real Velvet server behind `fetch` (requests go through Fastify's inject), and one frozen clock
 * for both, moved by the test. The network is cut by making `fetch` fail, as a phone's does. No
 * test waits on a wall-clock window: time moves only when the test says so.
 */
let ctx: TestContext;
let event: EventInfo;
let network: 'up' | 'down' = 'up';
const requests: string[] = [];
const engines: DoorEngine[] = [];

beforeAll(async () => {
  ctx = await startTestApp();
  // Stubbed, and put back after the file: test files share worker processes, and the embedded
  // database takes a global `window` for a browser.
  for (const [name, value] of Object.entries(fakeIndexedDb)) vi.stubGlobal(name, value);
  vi.stubGlobal('window', new EventTarget());
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (network === 'down') throw new TypeError('Failed to fetch');
    requests.push(`${init?.method ?? 'GET'} ${url.split('?')[0]}`);
    const res = await ctx.app.inject({
      method: (init?.method ?? 'GET') as 'GET',
      url,
      headers: Object.fromEntries(new Headers(init?.headers) as unknown as Iterable<[string, string]>),
      ...(init?.body ? { payload: String(init.body) } : {}),
    });
    return new Response(res.statusCode === 204 ? null : new Uint8Array(res.rawPayload), {
      status: res.statusCode,
      headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') },
    });
  });
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await ctx.close();
});

beforeEach(async () => {
  network = 'up';
  requests.length = 0;
  ctx.clock.set(T0);
  event = await createEvent(ctx);
  openDoors(ctx, event);
});
afterEach(() => engines.splice(0).forEach((e) => e.stop()));

/** A door on its own device; `start` downloads the ticket list (or loads the stored one). */
async function door(scannerId = 'door-1') {
  const engine = new DoorEngine(
    event.id,
    scannerId,
    ctx.staffToken,
    () => {
      throw new Error('logged out');
    },
    undefined,
    () => ctx.clock.now(),
  );
  engines.push(engine);
  await engine.start();
  return engine;
}

async function ticket(name = 'Gina Guest') {
  const order = await buyPaid(ctx, event.id, { name, holder_names: [name] });
  const t = order.view.tickets[0]!;
  return { id: t.id, qr: t.qr! };
}

describe('the door engine', () => {
  it('online: admits once, then says already in; every answer is the server’s', async () => {
    const t = await ticket();
    const engine = await door();
    await engine.scan({ qr: t.qr }, 'typed');
    expect(engine.result.value).toMatchObject({ result: 'admitted', provisional: false });
    await engine.scan({ qr: t.qr }, 'typed');
    expect(engine.result.value).toMatchObject({ result: 'rejected', reason: 'already_checked_in' });
    expect(requests.filter((r) => r === 'POST /api/v1/scans')).toHaveLength(2);
    expect(engine.counters.value).toMatchObject({ admitted: 1 });
  });

  it('the camera skips the code in view, says "same code again" when it comes back within 3 s, and asks again after', async () => {
    const t = await ticket();
    const engine = await door();
    await engine.scan({ qr: t.qr }, 'camera');
    const first = engine.result.value!;
    expect(first.result).toBe('admitted');

    // Still in view (read again 100 ms later): nothing new.
    ctx.clock.advance(100);
    await engine.scan({ qr: t.qr }, 'camera');
    expect(engine.result.value).toBe(first);

    // Out of sight for a second, then back: the same answer, marked as a repeat, nothing sent.
    ctx.clock.advance(1000);
    await engine.scan({ qr: t.qr }, 'camera');
    expect(engine.result.value).toMatchObject({ result: 'admitted', repeat: { firstShownAt: first.at } });
    expect(requests.filter((r) => r === 'POST /api/v1/scans')).toHaveLength(1);

    // Gone longer than the window: a new scan, which the server refuses (already in).
    ctx.clock.advance(3001);
    await engine.scan({ qr: t.qr }, 'camera');
    expect(engine.result.value).toMatchObject({ result: 'rejected', reason: 'already_checked_in' });
    expect(requests.filter((r) => r === 'POST /api/v1/scans')).toHaveLength(2);
  });

  it('typed codes are all answered, the same code twice included', async () => {
    const t = await ticket();
    const engine = await door();
    await Promise.all([engine.scan({ qr: t.qr }, 'wedge'), engine.scan({ qr: t.qr }, 'wedge')]);
    expect(requests.filter((r) => r === 'POST /api/v1/scans')).toHaveLength(2);
    expect(engine.result.value).toMatchObject({ result: 'rejected', reason: 'already_checked_in' });
  });

  it('offline: decides from its list with the same rules, queues, and syncs once the server answers again', async () => {
    const [a, b] = [await ticket('Ada'), await ticket('Bo')];
    const engine = await door();
    network = 'down';
    await engine.scan({ qr: a.qr }, 'typed');
    expect(engine.result.value).toMatchObject({ result: 'admitted', provisional: true });
    expect(engine.online.value).toBe(false);
    await engine.scan({ qr: a.qr }, 'typed');
    expect(engine.result.value).toMatchObject({ result: 'rejected', reason: 'already_checked_in', provisional: true });
    await engine.scan({ qr: 'VLV1.not-a-code' }, 'typed');
    expect(engine.result.value).toMatchObject({ result: 'rejected', reason: 'invalid_code' });
    expect(engine.pending.value).toBe(3);
    expect(engine.counters.value).toMatchObject({ admitted: 1 });
    expect(await scanRows(ctx, a.id)).toHaveLength(0);

    // Back (the phone says so): the door checks the server, then the queue goes in one batch;
    // only the admission counts on the server.
    network = 'up';
    window.dispatchEvent(new Event('online'));
    await expect.poll(() => engine.pending.value).toBe(0);
    expect(engine.online.value).toBe(true);
    expect(requests).toContain('POST /api/v1/scans/batch');
    const rows = await scanRows(ctx, a.id);
    expect(rows.filter((r) => r.result === 'admitted')).toHaveLength(1);

    // The other ticket was never scanned: online again, the server admits it.
    await engine.scan({ qr: b.qr }, 'typed');
    expect(engine.result.value).toMatchObject({ result: 'admitted', provisional: false });
  });

  it('a sync whose answer is lost is sent again without counting anything twice', async () => {
    const t = await ticket();
    const engine = await door();
    network = 'down';
    await engine.scan({ qr: t.qr }, 'typed');
    network = 'up';
    engine.online.value = true;
    // The batch reaches the server, its answer does not.
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      const res = await realFetch(input, init);
      if (String(input).includes('/scans/batch')) throw new TypeError('connection reset');
      return res;
    };
    await engine.sync();
    globalThis.fetch = realFetch;
    expect(engine.pending.value).toBe(1);
    expect(engine.online.value).toBe(false);
    window.dispatchEvent(new Event('online'));
    await expect.poll(() => engine.pending.value).toBe(0);
    expect((await scanRows(ctx, t.id)).filter((r) => r.result === 'admitted')).toHaveLength(1);
  });

  it('a second device on the same phone storage starts from the stored list with no network at all', async () => {
    const t = await ticket();
    const first = await door();
    first.stop();
    network = 'down';
    const again = await door();
    expect(again.state.value).toBe('ready');
    await again.scan({ qr: t.qr }, 'typed');
    expect(again.result.value).toMatchObject({ result: 'admitted', provisional: true });
  });
});
