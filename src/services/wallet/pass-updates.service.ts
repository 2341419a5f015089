import { createHash, timingSafeEqual } from 'node:crypto';
import { passAuthToken } from '../../auth/capability.js';
import {
  changedSerials,
  claimRegistrationsToCheck,
  deleteRegistration,
  deleteRegistrationsByToken,
  markPassChanged,
  upsertRegistration,
} from '../../db/repos/pass-registrations.repo.js';
import {
  claimGoogleObjectsToCheck,
  recordGoogleObject,
  setGoogleObjectFingerprint,
} from '../../db/repos/google-wallet-objects.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { ApplePasses } from '../../wallet/apple-pass.js';
import { parsePassSerial, passSerial } from '../../wallet/pass-serial.js';
import type { WalletTicket } from '../../wallet/wallet-ticket.js';
import type { AppDeps } from '../deps.js';
import { walletTicket } from './wallet-pass.service.js';

/**
 * Apple Wallet's web service for Velvet's passes (Apple's "Wallet Passes web service" protocol):
 * phones register the passes they hold, ask which changed, and fetch them again; Velvet pushes
 * them through APNs when what a pass shows changes. Each pass carries its own token (derived from
 * its serial, capability.ts `passAuthToken`), sent as `Authorization: ApplePass <token>`.
 */
type Deps = Pick<AppDeps, 'database' | 'keys' | 'config' | 'wallets'>;

export const passWebServiceUrl = (config: Pick<AppDeps['config'], 'publicUrl'>) => `${config.publicUrl}/api/passkit`;

function apple(deps: Deps): ApplePasses {
  if (!deps.wallets.apple) throw notFound('Apple Wallet (not set up here)');
  return deps.wallets.apple;
}

/** A ticket's pass, pointing phones at this web service with the pass's own token. */
export function buildApplePass(deps: Deps, t: WalletTicket): Buffer {
  const serial = passSerial(t.ticketId, t.generation);
  return apple(deps).build(t, {
    url: passWebServiceUrl(deps.config),
    authenticationToken: passAuthToken(deps.keys.manageKey, serial),
  });
}

/** What a pass shows, as a digest: a phone is told of a change only when this changes (a scan at the door changes nothing here). */
const fingerprint = (t: WalletTicket) =>
  createHash('sha256')
    .update(JSON.stringify({ ...t, startsAt: t.startsAt.toISOString(), endsAt: t.endsAt.toISOString() }))
    .digest('base64url');

/** The pass a request names, when its type is ours and its token is the pass's. */
async function authorisedPass(deps: Deps, passTypeId: string, serial: string, authorization: string | undefined) {
  if (passTypeId !== apple(deps).passTypeId) throw notFound('pass type');
  const parsed = parsePassSerial(serial);
  const given = /^ApplePass (\S+)$/.exec(authorization ?? '')?.[1];
  const expected = passAuthToken(deps.keys.manageKey, serial);
  if (
    !parsed ||
    !given ||
    given.length !== expected.length ||
    !timingSafeEqual(Buffer.from(given), Buffer.from(expected))
  ) {
    throw new DomainError(
      'unauthorized',
      'This pass\'s token is missing or wrong ("Authorization: ApplePass <token>")',
    );
  }
  return { ...parsed, ticket: await walletTicket(deps.database.db, deps.keys, parsed.ticketId, parsed.generation) };
}

/** `POST …/devices/:device/registrations/:type/:serial {pushToken}`: true when this phone registered this pass anew. */
export async function registerPass(
  deps: Deps,
  r: { deviceId: string; passTypeId: string; serial: string; authorization: string | undefined; pushToken: string },
): Promise<boolean> {
  const pass = await authorisedPass(deps, r.passTypeId, r.serial, r.authorization);
  return upsertRegistration(deps.database.db, {
    deviceId: r.deviceId,
    serial: r.serial,
    ticketId: pass.ticketId,
    generation: pass.generation,
    pushToken: r.pushToken,
    fingerprint: fingerprint(pass.ticket),
  });
}

/** `DELETE …/devices/:device/registrations/:type/:serial`: the pass was removed from that phone. */
export async function unregisterPass(
  deps: Deps,
  r: { deviceId: string; passTypeId: string; serial: string; authorization: string | undefined },
): Promise<void> {
  await authorisedPass(deps, r.passTypeId, r.serial, r.authorization);
  await deleteRegistration(deps.database.db, r.deviceId, r.serial);
}

/** `GET …/devices/:device/registrations/:type?passesUpdatedSince=`: the phone's passes changed since its last tag (null: none). */
export async function changedPasses(
  deps: Deps,
  r: { deviceId: string; passTypeId: string; since: string | undefined },
) {
  if (r.passTypeId !== apple(deps).passTypeId) throw notFound('pass type');
  const since = r.since && /^\d{1,15}$/.test(r.since) ? new Date(Number(r.since)) : null;
  const changed = await changedSerials(deps.database.db, r.deviceId, since);
  if (changed.length === 0) return null;
  const last = Math.max(...changed.map((c) => c.changedAt.getTime()));
  return { serialNumbers: changed.map((c) => c.serial), lastUpdated: String(last) };
}

/** `GET …/passes/:type/:serial`: the pass as it is now (for an earlier holder's serial: their own pass, void). */
export async function latestPass(
  deps: Deps,
  r: { passTypeId: string; serial: string; authorization: string | undefined },
): Promise<Buffer> {
  const pass = await authorisedPass(deps, r.passTypeId, r.serial, r.authorization);
  return buildApplePass(deps, pass.ticket);
}

/**
 * The sweeper's pass: registrations whose ticket or event changed since last looked at are
 * claimed (SKIP LOCKED, so instances share them); where what the pass shows changed, the phone is
 * pushed (outside any transaction). A push that does not arrive only delays the update until
 * the phone next asks; a phone APNs no longer knows is forgotten.
 */
export async function pushPassUpdates(deps: Deps, log: (msg: string) => void = () => {}): Promise<number> {
  if (!deps.wallets.apple) return 0;
  const toPush = await deps.database.transaction(async (tx) => {
    const due = await claimRegistrationsToCheck(tx, 200);
    const changed: string[] = [];
    for (const r of due) {
      const now = fingerprint(await walletTicket(tx, deps.keys, r.ticketId, r.generation));
      if (now === r.fingerprint) continue;
      await markPassChanged(tx, r.deviceId, r.serial, now);
      changed.push(r.pushToken);
    }
    return [...new Set(changed)];
  });
  const outcomes = await apple(deps).apns.pushAll(apple(deps).passTypeId, toPush);
  for (const [token, outcome] of outcomes) {
    if (outcome === 'gone') await deleteRegistrationsByToken(deps.database.db, token);
    else if (outcome !== 'sent') log(`wallet pass update push failed: ${outcome.error}`);
  }
  return toPush.length;
}

/** A "Save to Google Wallet" link for the ticket as it is now; the object is remembered, to be kept up to date. */
export async function googleSaveUrl(deps: Deps, t: WalletTicket): Promise<string> {
  const google = deps.wallets.google;
  if (!google) throw notFound('Google Wallet (not set up here)');
  await recordGoogleObject(deps.database.db, {
    objectId: google.objectId(t),
    ticketId: t.ticketId,
    generation: t.generation,
    fingerprint: fingerprint(t),
  });
  return google.saveUrl(t);
}

/**
 * The sweeper's Google pass, as `pushPassUpdates` for Apple: objects whose ticket or event changed
 * are claimed; where what they show changed, they are updated through the Wallet API (an object
 * never saved is simply not there). A failed update is logged and tried again at the next change.
 */
export async function updateGoogleObjects(deps: Deps, log: (msg: string) => void = () => {}): Promise<number> {
  const google = deps.wallets.google;
  if (!google) return 0;
  const changed = await deps.database.transaction(async (tx) => {
    const out: Array<{ objectId: string; ticket: WalletTicket; fingerprint: string }> = [];
    for (const o of await claimGoogleObjectsToCheck(tx, 200)) {
      const ticket = await walletTicket(tx, deps.keys, o.ticketId, o.generation);
      const now = fingerprint(ticket);
      if (now !== o.fingerprint) out.push({ objectId: o.objectId, ticket, fingerprint: now });
    }
    return out;
  });
  for (const c of changed) {
    const outcome = await google.updateObject(c.ticket);
    if (outcome === 'updated' || outcome === 'absent')
      await setGoogleObjectFingerprint(deps.database.db, c.objectId, c.fingerprint);
    else log(`Google Wallet object ${c.objectId}: ${outcome.error}`);
  }
  return changed.length;
}
