import type { Database } from '../db/database.js';
import { findSessionState } from '../db/repos/users.repo.js';

/** How long this process trusts what it read about an account (another instance's change lands within it). */
export const ACCOUNT_STATE_TTL_MS = 5_000;

interface Entry {
  state: { epoch: number; disabled: boolean } | null;
  readAt: number;
  pending?: Promise<Entry>;
}

/**
 * Whether a signed login token still stands: its account exists, is not disabled, and the token
 * was issued in the account's current session epoch. Read from the database at most once per
 * account every few seconds (a door scans many times a second with one token), and forgotten at
 * once when this process changes the account, so disabling takes effect immediately here and
 * within `ACCOUNT_STATE_TTL_MS` on other instances.
 */
export class AccountGate {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly database: Pick<Database, 'db'>,
    private readonly now: () => number = Date.now,
  ) {}

  async allows(userId: string, epoch: number): Promise<boolean> {
    const state = (await this.read(userId)).state;
    return state !== null && !state.disabled && state.epoch === epoch;
  }

  forget(userId: string): void {
    this.entries.delete(userId);
  }

  private async read(userId: string): Promise<Entry> {
    const cached = this.entries.get(userId);
    if (cached && this.now() - cached.readAt < ACCOUNT_STATE_TTL_MS) return cached;
    if (cached?.pending) return cached.pending;
    const pending = findSessionState(this.database.db, userId).then((state) => {
      const entry = { state, readAt: this.now() };
      this.entries.set(userId, entry);
      return entry;
    });
    // Concurrent requests of one account share one read; a failed read is not remembered.
    this.entries.set(userId, { state: cached?.state ?? null, readAt: -Infinity, pending });
    return pending.catch((err: unknown) => {
      this.entries.delete(userId);
      throw err;
    });
  }
}

const gates = new WeakMap<object, AccountGate>();

/** The one gate of a database handle in this process. */
export function accountGate(database: Pick<Database, 'db'>): AccountGate {
  let gate = gates.get(database);
  if (!gate) gates.set(database, (gate = new AccountGate(database)));
  return gate;
}
