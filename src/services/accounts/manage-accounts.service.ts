import { accountGate } from '../../auth/account-gate.js';
import { hashPassword } from '../../auth/passwords.js';
import {
  countActiveOwners,
  findUserById,
  listUsers,
  lockOwners,
  updateUser,
  type UserRow,
} from '../../db/repos/users.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';
import { MIN_PASSWORD } from './accounts.service.js';

export interface AccountView {
  id: string;
  email: string;
  name: string;
  role: UserRow['role'];
  disabled: boolean;
  created_at: string;
}

export const accountView = (u: UserRow): AccountView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  disabled: u.disabledAt !== null,
  created_at: u.createdAt.toISOString(),
});

export async function listAccounts(deps: Pick<AppDeps, 'database'>): Promise<AccountView[]> {
  return (await listUsers(deps.database.db)).map(accountView);
}

export interface AccountChange {
  name?: string | undefined;
  disabled?: boolean | undefined;
  /** A new password: the account's open logins end (it is how a lost phone is locked out). */
  password?: string | undefined;
}

/**
 * The owner edits an account while Velvet runs: names it, disables or re-enables it, resets its
 * password. Disabling and resetting move the account's session epoch, so its open logins stop at
 * once on this instance and within seconds on others (account-gate.ts). Nobody disables their own
 * account, and the last enabled owner stays (the owner rows are locked, so two owners disabling
 * each other at once cannot both win).
 */
export async function changeAccount(
  deps: Pick<AppDeps, 'database' | 'clock'>,
  actorId: string,
  id: string,
  change: AccountChange,
): Promise<AccountView> {
  if (change.password !== undefined && change.password.length < MIN_PASSWORD) {
    throw new DomainError('invalid_request', `The password needs at least ${MIN_PASSWORD} characters`, {
      password: `at least ${MIN_PASSWORD} characters`,
    });
  }
  const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
  const updated = await deps.database.transaction(async (tx) => {
    if (change.disabled) await lockOwners(tx);
    const user = await findUserById(tx, id);
    if (!user) throw notFound('account');
    const disabling = change.disabled === true && !user.disabledAt;
    if (disabling && id === actorId) throw new DomainError('own_account', 'You cannot disable your own account');
    if (disabling && user.role === 'owner' && (await countActiveOwners(tx)) <= 1) {
      throw new DomainError('last_owner', 'This is the last enabled owner account: add or enable another owner first');
    }
    const disabledAt =
      change.disabled === undefined ? undefined : change.disabled ? (user.disabledAt ?? deps.clock.now()) : null;
    return updateUser(tx, id, {
      ...(change.name !== undefined ? { name: change.name.trim() } : {}),
      ...(disabledAt !== undefined ? { disabledAt } : {}),
      ...(passwordHash ? { passwordHash } : {}),
      bumpEpoch: disabling || passwordHash !== undefined,
    });
  });
  accountGate(deps.database).forget(id);
  return accountView(updated!);
}
