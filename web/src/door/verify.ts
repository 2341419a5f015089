import { fromBase64Url } from '@domain/ticket-code.js';

export type Verify = (signed: Uint8Array, signature: Uint8Array) => Promise<boolean>;

/**
 * Checks ticket signatures with the event's Ed25519 public key, on the device, with no server.
 * WebCrypto does it natively where the browser supports Ed25519 and the page is a secure context
 * (HTTPS or localhost); otherwise @noble/ed25519 (audited, pure JS) does the same check.
 */
export async function makeVerifier(publicKey: string): Promise<Verify> {
  const raw = fromBase64Url(publicKey);
  if (!raw || raw.length !== 32) throw new Error('The scanner cache has no valid public key');
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    try {
      const key = await subtle.importKey('raw', raw as BufferSource, { name: 'Ed25519' }, false, ['verify']);
      return async (signed, signature) =>
        subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, signed as BufferSource);
    } catch {
      // Ed25519 not in this browser's WebCrypto: fall through to the JS implementation.
    }
  }
  const [ed, { sha512 }] = await Promise.all([import('@noble/ed25519'), import('@noble/hashes/sha2.js')]);
  ed.hashes.sha512 = sha512;
  return async (signed, signature) => {
    try {
      return ed.verify(signature, signed, raw);
    } catch {
      return false;
    }
  };
}
