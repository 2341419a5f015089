import type { FastifyRequest } from 'fastify';
import { hashManageToken } from '../auth/capability.js';
import { accountGate } from '../auth/account-gate.js';
import { verifySessionToken } from '../auth/session-tokens.js';
import { findOrderByManageTokenHash } from '../db/repos/orders.repo.js';
import { findTicketByHolderTokenHash } from '../db/repos/transfers.repo.js';
import type { Role } from '../db/repos/users.repo.js';
import { DomainError, notFound } from '../domain/errors.js';
import type { AppDeps } from '../services/deps.js';

export type Caller =
  | { kind: 'user'; userId: string; role: Role; session: { epoch: number; expiresAt: Date } }
  | { kind: 'order'; orderId: string }
  /** Whoever a ticket was transferred to: their capability opens that ticket alone. */
  | { kind: 'holder'; ticketId: string; tokenHash: string }
  | { kind: 'anonymous' };

/** The bearer token from the Authorization header, or `?token=` (EventSource and <img> cannot send headers). */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new DomainError('unauthorized', 'Authorization must be "Bearer <token>"');
    return m[1];
  }
  const q = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof q === 'string' && q.length ? q : undefined;
}

/**
 * Who is calling. Staff and owner tokens are signed and carry their role; an order's manage token
 * is opaque and looked up by its hash. A token that is neither is a bad credential (401).
 */
export async function resolveCaller(
  deps: Pick<AppDeps, 'database' | 'keys' | 'clock'>,
  request: FastifyRequest,
): Promise<Caller> {
  const token = bearerToken(request);
  if (!token) return { kind: 'anonymous' };
  if (token.includes('.')) {
    const claims = verifySessionToken(deps.keys.sessionSecret, token, deps.clock.now());
    if (!claims) throw new DomainError('unauthorized', 'The token is invalid or expired; log in again');
    if (!(await accountGate(deps.database).allows(claims.sub, claims.ep ?? 0))) {
      throw new DomainError(
        'unauthorized',
        'This login is no longer valid (the account was disabled or its password reset); log in again',
      );
    }
    return {
      kind: 'user',
      userId: claims.sub,
      role: claims.role,
      session: { epoch: claims.ep ?? 0, expiresAt: new Date(claims.exp * 1000) },
    };
  }
  if (token.length > 100) throw new DomainError('unauthorized', 'The token is not valid');
  const hash = hashManageToken(token);
  const order = await findOrderByManageTokenHash(deps.database.db, hash);
  if (order) return { kind: 'order', orderId: order.id };
  const held = await findTicketByHolderTokenHash(deps.database.db, hash);
  if (held) return { kind: 'holder', ticketId: held.id, tokenHash: hash };
  throw new DomainError('unauthorized', 'The token is not valid');
}

/**
 * Whether a login that was valid when a long request began (a live stream) still stands: not
 * expired, the account not disabled, its password not reset (read through the account gate, so
 * at most once per account every few seconds, like every other request's check).
 */
export async function sessionStillValid(
  deps: Pick<AppDeps, 'database' | 'clock'>,
  caller: Extract<Caller, { kind: 'user' }>,
): Promise<boolean> {
  if (caller.session.expiresAt <= deps.clock.now()) return false;
  return accountGate(deps.database).allows(caller.userId, caller.session.epoch);
}

const callers = new WeakMap<FastifyRequest, Promise<Caller>>();

/** The caller of this request, resolved once and remembered for the rest of the request. */
export function callerOf(deps: Pick<AppDeps, 'database' | 'keys' | 'clock'>, request: FastifyRequest): Promise<Caller> {
  let caller = callers.get(request);
  if (!caller) {
    caller = resolveCaller(deps, request);
    callers.set(request, caller);
  }
  return caller;
}

/**
 * An onRequest hook: credentials are checked before the body is even parsed, so an anonymous or
 * unauthorised caller learns nothing about what a valid request would look like. With no roles,
 * any valid credential passes (the handler then checks it against the order it names).
 */
export function authenticate(
  deps: Pick<AppDeps, 'database' | 'keys' | 'clock'>,
  roles?: Role[],
  needs = "the order's manage token",
) {
  return async (request: FastifyRequest): Promise<void> => {
    const caller = await callerOf(deps, request);
    if (roles) requireRole(caller, roles);
    else if (caller.kind === 'anonymous')
      throw new DomainError('unauthorized', `This needs ${needs}, sent as "Authorization: Bearer <token>"`);
  };
}

export function requireRole(caller: Caller, roles: Role[]): Extract<Caller, { kind: 'user' }> {
  if (caller.kind === 'anonymous') throw new DomainError('unauthorized', 'Log in first');
  if (caller.kind !== 'user' || !roles.includes(caller.role)) {
    throw new DomainError('forbidden', `Only ${roles.join(' or ')} accounts may do this`);
  }
  return caller;
}

/**
 * Before anything is looked up: may this kind of caller act on orders here at all? An order's
 * token may (its own order is checked next); the owner may where `ownerToo`; other accounts get
 * 403 whether or not the order exists, so the answer says nothing about it.
 */
export function screenOrderCaller(caller: Caller, opts: { ownerToo: boolean; staffToo?: boolean }): void {
  if (caller.kind === 'anonymous')
    throw new DomainError('unauthorized', 'Use the order\'s manage token, sent as "Authorization: Bearer <token>"');
  if (caller.kind === 'order') return;
  if (caller.kind === 'holder')
    throw new DomainError('forbidden', "A ticket's own link opens that ticket only, not its order");
  if (caller.role === 'owner' && opts.ownerToo) return;
  if (caller.role === 'staff' && opts.staffToo) return;
  throw new DomainError(
    'forbidden',
    `This needs the order's manage token${opts.ownerToo ? ' or the owner account' : ''}`,
  );
}

/**
 * An order's own token; the owner account may also act on any order (`ownerToo`). Another order's
 * token gets the same 404 as an order that does not exist: a stranger cannot tell them apart.
 */
export function requireOrderAccess(
  caller: Caller,
  orderId: string | null,
  opts: { ownerToo: boolean; staffToo?: boolean },
  what = 'order',
): void {
  screenOrderCaller(caller, opts);
  if (orderId === null) throw notFound(what);
  if (caller.kind === 'order' && caller.orderId !== orderId) throw notFound(what);
}

/**
 * A ticket's routes: whoever holds it. That is the order's token until the ticket is transferred,
 * then the new holder's own (the buyer gets 403: they gave it away); the owner too where
 * `ownerToo`. Another order's or ticket's token gets the same 404 as a ticket that does not exist.
 */
export function requireTicketAccess(
  caller: Caller,
  ticket: { id: string; orderId: string; holderTokenHash: string | null } | null,
  opts: { ownerToo: boolean },
): void {
  if (caller.kind !== 'holder') screenOrderCaller(caller, opts);
  if (!ticket) throw notFound('ticket');
  if (caller.kind === 'holder' && caller.ticketId !== ticket.id) throw notFound('ticket');
  if (caller.kind !== 'order') return;
  if (caller.orderId !== ticket.orderId) throw notFound('ticket');
  if (ticket.holderTokenHash !== null)
    throw new DomainError('forbidden', 'This ticket was transferred: only its new holder can use it now');
}

/** Whose hands a ticket is in, as a caller that passed `requireTicketAccess` sees it: re-checked under the ticket's lock. */
export const heldBy = (caller: Caller): string | null => (caller.kind === 'holder' ? caller.tokenHash : null);
