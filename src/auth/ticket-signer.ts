import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import webPush from 'web-push';
import type { Executor } from '../db/database.js';
import { getOrCreateSetting } from '../db/repos/settings.repo.js';
import {
  joinTicketCode,
  parseTicketCode,
  ticketCodePayload,
  toBase64Url,
  type TicketCodeParts,
} from '../domain/ticket-code.js';

/** Signs ticket codes with Ed25519 and checks them; scanners check with the public key alone. */
export class TicketSigner {
  readonly publicKey: string;

  constructor(
    private readonly privateKey: KeyObject,
    private readonly pub: KeyObject,
  ) {
    // The raw 32-byte key (base64url) is what WebCrypto's importKey('raw', …, 'Ed25519') takes.
    const spki = pub.export({ format: 'der', type: 'spki' });
    this.publicKey = toBase64Url(new Uint8Array(spki.subarray(spki.length - 32)));
  }

  /** The ticket's code of this generation (0 as issued; each transfer signs the next). */
  sign(eventId: string, ticketId: string, generation = 0): string {
    const payload = ticketCodePayload(eventId, ticketId, generation);
    return joinTicketCode(payload, new Uint8Array(sign(null, Buffer.from(payload), this.privateKey)));
  }

  /** The code's parts when its signature is ours, otherwise null (forged, truncated, foreign). */
  verify(code: string): TicketCodeParts | null {
    const parts = parseTicketCode(code);
    if (!parts) return null;
    return verify(null, parts.signed, this.pub, parts.signature) ? parts : null;
  }
}

export interface Keys {
  signer: TicketSigner;
  /** HMAC secret for staff and owner session tokens. */
  sessionSecret: string;
  /** HMAC key that derives orders' manage tokens (capability.ts); never rotated by VELVET_SECRET. */
  manageKey: string;
  /** The Web Push (VAPID) key pair, P-256, base64url: the public half is what browsers subscribe with. */
  vapid: { publicKey: string; privateKey: string };
}

/**
 * Keys live in the database so every instance signs and verifies alike. VELVET_SECRET, when set,
 * replaces the stored session secret (rotating it logs everyone out).
 */
export async function loadKeys(db: Executor, overrideSessionSecret?: string): Promise<Keys> {
  const der = await getOrCreateSetting(db, 'ticket_signing_key', () =>
    generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  );
  const privateKey = createPrivateKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'pkcs8' });
  const sessionSecret =
    overrideSessionSecret ??
    (await getOrCreateSetting(db, 'session_secret', () => randomBytes(32).toString('base64url')));
  const manageKey = await getOrCreateSetting(db, 'manage_token_key', () => randomBytes(32).toString('base64url'));
  // Generated once and kept: a new key pair would orphan every host's subscription.
  const vapid = JSON.parse(
    await getOrCreateSetting(db, 'vapid_keys', () => JSON.stringify(webPush.generateVAPIDKeys())),
  ) as Keys['vapid'];
  return { signer: new TicketSigner(privateKey, createPublicKey(privateKey)), sessionSecret, manageKey, vapid };
}
