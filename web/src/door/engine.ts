import { computed, signal } from '@preact/signals';
import { parseTicketCode } from '@domain/ticket-code.js';
import { api, ApiError, errorText, NetworkError } from '../lib/api.js';
import { clockTime } from '../lib/format.js';
import { currentTicketListsEpoch, db, type QueuedScan, type StoredConflict } from '../lib/db.js';
import { decideOffline, type ScanInput } from './decide-offline.js';
import { answerWords, fromError, fromServer, repeatOf, type DoorResult, type ScanResponse } from './result.js';
import { conflictWords, NOT_APPLIED } from '@domain/offline-reconcile.js';
import { t, type Text } from '../lib/i18n.js';
import { TicketCache, type LocalEntry, type ScannerCacheResponse } from './ticket-cache.js';
import { makeVerifier, type Verify } from './verify.js';

/** The server must answer a scan within this, or the door decides on its own (SPEC: offline door). */
const ONLINE_SCAN_TIMEOUT_MS = 1500;
/** The camera ignores the code it just read until it has been out of sight this long: one scan, not ten. */
const SAME_CODE_MS = 3000;
/** Out of the camera's sight at least this long and back: shown again, not silently ignored. */
const SHOWN_AGAIN_MS = 400;
const REFRESH_MS = 30_000;
const TICK_MS = 5000;
const CATCH_UP_MS = 5000;
const BATCH = 200;
export const STALE_MS = 5 * 60_000;

/**
 * The server's answer for one batch item, or this device's own for one the server will never
 * take as it is (`unsyncable`: the server never says that).
 */
type BatchAnswer = Omit<ScanResponse, 'conflict'> & {
  index: number;
  conflict?: ScanResponse['conflict'] | 'unsyncable';
};

/** Where a scan came from: the camera repeats itself, people and handheld scanners do not. */
export type ScanSource = 'camera' | 'typed' | 'wedge' | 'search';

/**
 * The door's brain, one per (event, scanner): online it asks the server; when the server cannot be
 * reached in time it decides from the cache with the same rules, updates the cache, queues the scan,
 * and keeps going. In the background it refreshes the cache (`?since=`) every 30 s, probes the
 * server while offline, and syncs the queue with `POST /scans/batch` once back.
 *
 * Sync is idempotent: a batch item carries the nonce of its failed online attempt (if any), and the
 * server derives the same nonce again for the rest, so resending a batch whose answer was lost (or a
 * scan that did reach the server before its answer was lost) never counts anything twice. Items
 * leave the queue only once the server has answered for them.
 */
export class DoorEngine {
  readonly online = signal(typeof navigator === 'undefined' ? true : navigator.onLine);
  readonly pending = signal(0);
  readonly conflicts = signal<StoredConflict[]>([]);
  readonly result = signal<DoorResult | null>(null);
  /** Bumped whenever the cache changes, so counters and search results recompute. */
  readonly version = signal(0);
  readonly refreshedAt = signal<Date | null>(null);
  readonly state = signal<'loading' | 'ready' | 'no-cache'>('loading');
  readonly cache: TicketCache;
  /** The night at a glance from this device's list, counted again only when the list changed. */
  readonly counters = computed(() => (this.version.value, this.cache.counters(this.scannerId)));

  private verify: Verify | null = null;
  /** Entries this door made offline whose scans are still queued, by queue key (see TicketCache.apply). */
  private readonly unsynced = new Map<number, LocalEntry>();
  /** Scans are decided one at a time, in the order they came (see scan). */
  private queue: Promise<void> = Promise.resolve();
  private busy = 0;
  /** The code the camera last read and when it last saw it. */
  private cameraSeen: { key: string; at: number } | null = null;
  /** The code behind the result on screen. */
  private resultKey: string | null = null;
  private syncing = false;
  private caughtUpAt = 0;
  /** Stopped (the screen closed, or its login ended): answers still on their way are not stored. */
  private stopped = false;
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private readonly onOnline = () => void this.probe();
  private readonly onOffline = () => (this.online.value = false);

  constructor(
    readonly eventId: string,
    readonly scannerId: string,
    private readonly token: string,
    private readonly onUnauthorized: () => void,
    private readonly onResult: (r: DoorResult) => void = () => {},
    /** The door's time: when a scan happened, and the camera's windows (tests pass their own). */
    private readonly now: () => Date = () => new Date(),
  ) {
    this.cache = new TicketCache(eventId);
  }

  async start(): Promise<void> {
    const hadCache = await this.cache.load();
    if (hadCache) this.markReady();
    for (const q of await (await db()).getAllFromIndex('queue', 'byEvent', this.eventId)) {
      const entry = q.offlineResult === 'rejected' ? null : this.entryOf(q);
      if (entry) this.unsynced.set(q.seq!, entry);
    }
    await this.loadQueueState();
    await this.refresh();
    if (!this.cache.meta) this.state.value = 'no-cache';
    this.timers.push(setInterval(() => this.online.value && void this.refresh(), REFRESH_MS));
    this.timers.push(setInterval(() => void this.tick(), TICK_MS));
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    void this.sync();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
  }

  /**
   * One scan: a code (camera, handheld scanner, typed) or a ticket picked from a search.
   *
   * A person typing or a handheld scanner means every code it sends: each is answered, in order,
   * even the same code twice (a ticket passed back to a friend must be refused, not look admitted).
   * The camera reads the code in front of it ~8 times a second, so it alone skips the code it has
   * just read while that stays in view; when the same code comes back after leaving the frame within
   * SAME_CODE_MS, the door says so ("same code again") instead of staying silent. The camera also
   * skips frames while a scan is being decided: it will read the code again a moment later.
   */
  async scan(input: ScanInput, source: ScanSource = 'typed'): Promise<void> {
    const key = input.qr !== undefined ? `qr:${input.qr.trim()}` : `id:${input.ticketId}`;
    if (source === 'camera') {
      if (this.busy > 0) return;
      const now = this.now().getTime();
      const seen = this.cameraSeen;
      if (seen?.key === key && now - seen.at < SAME_CODE_MS) {
        const outOfSight = now - seen.at;
        seen.at = now;
        if (outOfSight >= SHOWN_AGAIN_MS) this.showAgain(key);
        return;
      }
      this.cameraSeen = { key, at: now };
    }
    this.busy++;
    const turn = this.queue.then(async () => {
      try {
        const result = await this.decide(input.qr !== undefined ? { qr: input.qr.trim() } : input);
        if (result) this.show(result, key);
      } finally {
        this.busy--;
        if (this.cameraSeen?.key === key) this.cameraSeen.at = this.now().getTime();
      }
    });
    this.queue = turn.catch(() => undefined);
    await turn;
  }

  /**
   * A whole table at once: staff admit a guest standing with the host by tapping them on the
   * host's screen. Decided exactly as their code would be (online, or offline from the cache, and
   * recorded as a manual admission), in turn with every other scan; the host's screen stays, its
   * guest list brought up to date. Returns the guest's own result (a refusal says why).
   */
  async admitGuest(ticketId: string): Promise<DoorResult | null> {
    this.busy++;
    const turn = this.queue.then(async () => {
      try {
        return await this.decide({ ticketId });
      } finally {
        this.busy--;
      }
    });
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    const result = await turn;
    const shown = this.result.value;
    if (result && result.result !== 'rejected' && shown?.vip) {
      const guests = shown.vip.guests.map((g) => (g.ticket_id === ticketId ? { ...g, arrived: true } : g));
      this.result.value = { ...shown, vip: { ...shown.vip, guests } };
    }
    return result;
  }

  private show(result: DoorResult, key: string): void {
    this.result.value = result;
    this.resultKey = key;
    this.onResult(result);
  }

  /** The code on screen came back into the camera's view: the same answer, marked as a repeat. */
  private showAgain(key: string): void {
    const shown = this.result.value;
    if (!shown || this.resultKey !== key) return;
    this.show(repeatOf(shown), key);
  }

  private async decide(input: ScanInput): Promise<DoorResult | null> {
    if (!this.online.value) return this.decideHere(input);
    const nonce = randomNonce();
    try {
      const r = await api<ScanResponse>('/api/v1/scans', {
        body: {
          ...(input.qr !== undefined ? { qr: input.qr } : { ticket_id: input.ticketId }),
          scanner_id: this.scannerId,
          event_id: this.eventId,
          nonce,
        },
        token: this.token,
        timeoutMs: ONLINE_SCAN_TIMEOUT_MS,
      });
      await this.learn(r);
      return fromServer(r, false, this.cache.meta?.event);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.onUnauthorized();
        return null;
      }
      if (err instanceof ApiError && err.status < 500) return fromError(err.message);
      // No answer in time, no network, or the server cannot reach its database: decide here.
      this.online.value = false;
      return this.decideHere(input, nonce);
    }
  }

  private async decideHere(input: ScanInput, nonce?: string): Promise<DoorResult> {
    if (!this.cache.meta) return fromError({ key: 'door.noListOffline' });
    this.verify ??= await makeVerifier(this.cache.meta.publicKey);
    const at = this.now();
    const { decision, response } = await decideOffline(input, this.cache, this.verify, this.scannerId, at);
    const item: QueuedScan = {
      eventId: this.eventId,
      scannerId: this.scannerId,
      scannedAt: at.toISOString(),
      offlineResult: decision.result,
    };
    if (input.qr !== undefined) item.qr = input.qr;
    else item.ticketId = input.ticketId;
    if (nonce) item.nonce = nonce;
    const seq = Number(await (await db()).add('queue', item));
    this.pending.value++;
    if (decision.result !== 'rejected' && response.ticket) {
      const entry = {
        ticketId: response.ticket.id,
        at,
        scannerId: this.scannerId,
        hostArrived: decision.checkInReservation,
      };
      this.unsynced.set(seq, entry);
      await this.cache.markEntered(entry);
      if (response.vip) response.vip.guests = this.cache.guestsOf(response.vip.reservation_id);
      this.version.value++;
    }
    return { ...fromServer(response, true, this.cache.meta.event), queueSeq: seq };
  }

  /** What the server said about a ticket is news for the cache too (e.g. checked in elsewhere). */
  private async learn(
    r: Pick<ScanResponse, 'ticket' | 'result' | 'already_checked_in' | 'first_checked_in_at' | 'first_scanner_id'>,
  ): Promise<void> {
    if (!r.ticket) return;
    const entered = r.result !== 'rejected' || r.already_checked_in;
    if (!entered) return;
    const at = r.first_checked_in_at ? new Date(r.first_checked_in_at) : this.now();
    await this.cache.markEntered({
      ticketId: r.ticket.id,
      at,
      scannerId: r.first_scanner_id ?? this.scannerId,
      hostArrived: r.ticket.kind === 'vip_host',
    });
    this.version.value++;
  }

  /**
   * The server's live figures say another number of people are in than this device's list does
   * (another door let someone in since the last refresh): fetch what changed now rather than at
   * the next 30 s refresh, so this door's counters agree with every other screen. At most every 5 s.
   */
  catchUp(admittedEverywhere: number): void {
    if (!this.online.value || !this.cache.meta) return;
    if (this.cache.counters(this.scannerId).admitted === admittedEverywhere) return;
    const now = this.now().getTime();
    if (now - this.caughtUpAt < CATCH_UP_MS) return;
    this.caughtUpAt = now;
    void this.refresh();
  }

  /** Brings the cache up to date: everything the first time, then only what changed (`?since=`). */
  async refresh(): Promise<void> {
    const since = this.cache.meta?.generatedAt;
    try {
      const r = await api<ScannerCacheResponse>(
        `/api/v1/events/${encodeURIComponent(this.eventId)}/scanner-cache${since ? `?since=${encodeURIComponent(since)}` : ''}`,
        { token: this.token },
      );
      if (this.stopped) return;
      const previousKey = this.cache.meta?.publicKey;
      await this.cache.apply(r, this.unsynced.values());
      if (r.public_key !== previousKey) this.verify = null;
      this.online.value = true;
      this.markReady();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return this.onUnauthorized();
      if (err instanceof NetworkError || (err instanceof ApiError && err.status >= 500)) this.online.value = false;
    }
  }

  /** Sends the offline queue, oldest first, in batches; each item leaves the queue once answered. */
  async sync(): Promise<void> {
    if (this.syncing || !this.online.value) return;
    this.syncing = true;
    try {
      for (;;) {
        const d = await db();
        const queued = (await d.getAllFromIndex('queue', 'byEvent', this.eventId)).sort((a, b) => a.seq! - b.seq!);
        if (!queued.length) break;
        const scannerId = queued[0]!.scannerId;
        const items = queued.filter((q) => q.scannerId === scannerId).slice(0, BATCH);
        const answers = await this.sendBatch(scannerId, items);
        if (!answers) break;
        // Logged out meanwhile: conflicts name people and must not land after the lists were
        // forgotten; the items stay queued and the next login resends them (answered the same).
        if (currentTicketListsEpoch() !== this.cache.epoch) break;
        const tx = d.transaction(['queue', 'conflicts'], 'readwrite');
        items.forEach((item, i) => {
          const a = answers[i];
          const message = conflictText(a);
          if (message) {
            void tx.objectStore('conflicts').add({
              eventId: this.eventId,
              scannedAt: item.scannedAt,
              holderName: a?.ticket?.holder_name ?? null,
              message,
            });
          }
          void tx.objectStore('queue').delete(item.seq!);
          this.unsynced.delete(item.seq!);
        });
        await tx.done;
        this.settle(new Set(items.map((item) => item.seq!)));
        for (const a of answers) await this.learn(a);
      }
    } finally {
      this.syncing = false;
      await this.loadQueueState();
    }
  }

  /** The result on screen was decided here and has now reached the server: it is no longer provisional. */
  private settle(synced: Set<number>): void {
    const shown = this.result.value;
    if (shown?.provisional && shown.queueSeq !== undefined && synced.has(shown.queueSeq)) {
      this.result.value = { ...shown, provisional: false };
    }
  }

  private async sendBatch(scannerId: string, items: QueuedScan[]): Promise<Array<BatchAnswer> | null> {
    const scans = items.map((q) => ({
      ...(q.qr !== undefined ? { qr: q.qr } : { ticket_id: q.ticketId }),
      scanned_at: q.scannedAt,
      offline_result: q.offlineResult,
      ...(q.nonce ? { nonce: q.nonce } : {}),
    }));
    try {
      const r = await api<{ results: Array<BatchAnswer> }>('/api/v1/scans/batch', {
        body: { scanner_id: scannerId, event_id: this.eventId, scans },
        token: this.token,
      });
      const byIndex = new Array<BatchAnswer>(items.length);
      for (const a of r.results) byIndex[a.index] = a;
      return byIndex;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.onUnauthorized();
        return null;
      }
      if (err instanceof ApiError && err.status < 500) {
        // The server refused the batch as a whole. The server answers each item of a batch on its
        // own, so one item it will never take as it is (a code longer than any ticket's) must not
        // hold back the rest: they go one by one, and only what is refused alone stays in front of
        // staff, not in a queue that blocks every later scan.
        if (items.length > 1) return this.sendOneByOne(scannerId, items);
        const message = t('door.syncFailed', { error: errorText(err) });
        return items.map((q, index) => ({
          index,
          result: 'rejected',
          message,
          already_checked_in: false,
          scanner_id: q.scannerId,
          scanned_at: q.scannedAt,
          ticket: null,
          conflict: 'unsyncable',
        }));
      }
      this.online.value = false;
      return null;
    }
  }

  private async sendOneByOne(scannerId: string, items: QueuedScan[]): Promise<Array<BatchAnswer> | null> {
    const answers: Array<BatchAnswer> = [];
    for (const [index, item] of items.entries()) {
      const answer = await this.sendBatch(scannerId, [item]);
      if (!answer) return null;
      answers.push({ ...answer[0]!, index });
    }
    return answers;
  }

  private entryOf(q: QueuedScan): LocalEntry | null {
    const ticketId = q.ticketId ?? parseTicketCode(q.qr ?? '')?.ticketId;
    if (!ticketId) return null;
    const host = this.cache.tickets.get(ticketId)?.reservation?.role === 'host';
    return { ticketId, at: new Date(q.scannedAt), scannerId: q.scannerId, hostArrived: host };
  }

  private async tick(): Promise<void> {
    if (!this.online.value) await this.probe();
    else if (this.pending.value > 0) await this.sync();
  }

  /** While offline: is the server (and its database) back? Then sync and refresh at once. */
  private async probe(): Promise<void> {
    try {
      await api('/healthz', { timeoutMs: ONLINE_SCAN_TIMEOUT_MS });
    } catch {
      this.online.value = false;
      return;
    }
    this.online.value = true;
    await this.sync();
    await this.refresh();
  }

  private async loadQueueState(): Promise<void> {
    const d = await db();
    this.pending.value = await d.countFromIndex('queue', 'byEvent', this.eventId);
    this.conflicts.value = await d.getAllFromIndex('conflicts', 'byEvent', this.eventId);
  }

  async dismissConflicts(): Promise<void> {
    const d = await db();
    const tx = d.transaction('conflicts', 'readwrite');
    for (const c of this.conflicts.value) void tx.store.delete(c.id!);
    await tx.done;
    this.conflicts.value = [];
  }

  /** The cache is usable (loaded from the device or downloaded): counters and search read it now. */
  private markReady(): void {
    this.state.value = 'ready';
    this.refreshedAt.value = this.cache.meta ? new Date(this.cache.meta.refreshedAt) : null;
    this.version.value++;
  }
}

/** What a synced answer says staff should know, or null: a conflict, or a duplicate entry elsewhere. */
function conflictText(a: BatchAnswer | undefined): Text | null {
  if (!a) return null;
  // Refused as a whole by the server: its message is already in the reader's words (errorText).
  if (a.conflict === 'unsyncable') return a.message;
  if (a.conflict)
    return conflictWords(
      a.conflict,
      a.result === 'rejected' && !NOT_APPLIED.has(a.conflict) ? answerWords(a as ScanResponse) : null,
    );
  if (a.displaced_entry)
    return {
      key: 'door.duplicateElsewhere',
      values: { scanner: a.displaced_entry.scanner_id, time: clockTime(a.displaced_entry.scanned_at) },
    };
  return null;
}

function randomNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
