import {
  findRefused,
  insertRefused,
  listRefused,
  markRefusedRemoved,
  touchTicketsOf,
  type RefusedEntry,
  type RefusedRow,
} from '../../db/repos/refused.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';

export interface RefusedView {
  id: string;
  name: string;
  email: string;
  reason: string;
  added_by: string;
  added_at: string;
  removed_by: string | null;
  removed_at: string | null;
}

const view = (e: RefusedEntry): RefusedView => ({
  id: e.id,
  name: e.name,
  email: e.email,
  reason: e.reason,
  added_by: e.addedByName,
  added_at: e.addedAt.toISOString(),
  removed_by: e.removedByName,
  removed_at: e.removedAt?.toISOString() ?? null,
});

type Deps = Pick<AppDeps, 'database'>;

/** `GET /refused`: the owner's list, those still refused first; removed entries stay, with who removed them. */
export async function readRefusedList(deps: Deps): Promise<{ people: RefusedView[] }> {
  return { people: (await listRefused(deps.database.db)).map(view) };
}

/**
 * `POST /refused`: the owner lists someone by name and/or e-mail, with why. In the same
 * transaction the tickets they hold for nights to come are touched, so every door's next
 * `?since=` refuses them offline too.
 */
export async function addRefused(
  deps: Deps,
  ownerId: string,
  input: { name: string; email: string; reason: string },
): Promise<RefusedView> {
  const name = input.name.trim();
  const email = input.email.trim().toLowerCase();
  if (!name && !email)
    throw new DomainError('invalid_request', 'Give a name, an e-mail or both', {
      name: 'a name or an e-mail is needed',
    });
  const id = await deps.database.transaction(async (tx) => {
    const row = await insertRefused(tx, { name, email, reason: input.reason.trim(), addedBy: ownerId });
    await touchTicketsOf(tx, row);
    return row.id;
  });
  return entry(deps, id);
}

/** `DELETE /refused/:id`: no longer refused; the entry stays with who removed it and when. Again: the same answer. */
export async function removeRefused(deps: Deps, ownerId: string, id: string): Promise<RefusedView> {
  await deps.database.transaction(async (tx) => {
    const removed: RefusedRow | null = await markRefusedRemoved(tx, id, ownerId);
    if (removed) await touchTicketsOf(tx, removed);
    else if (!(await findRefused(tx, id))) throw notFound('refused entry');
  });
  return entry(deps, id);
}

async function entry(deps: Deps, id: string): Promise<RefusedView> {
  const found = (await listRefused(deps.database.db)).find((e) => e.id === id);
  if (!found) throw notFound('refused entry');
  return view(found);
}
