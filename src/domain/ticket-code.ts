/**
 * The string inside a ticket's QR code: `V1.<payload>.<signature>`, both parts base64url.
 * The payload is the event id and the ticket id as raw bytes (32 bytes), which keeps the QR small;
 * the signature is Ed25519 over the ASCII text `V1.<payload>`. A ticket that was transferred has a
 * newer code: `V2.<payload>.<signature>`, the payload followed by its code generation (4 bytes, big
 * endian, at least 1); generation 0 is always written V1, so codes issued before transfers existed
 * stay exactly as printed. Pure and isomorphic: the server and the scanner page parse codes with
 * this same file and verify the signature with their own crypto.
 */
export const CODE_VERSION = 'V1';
const TRANSFERRED_VERSION = 'V2';

export interface TicketCodeParts {
  eventId: string;
  ticketId: string;
  /** Which of the ticket's codes this is: 0 as issued, raised by each transfer. */
  generation: number;
  /** The exact bytes that were signed. */
  signed: Uint8Array;
  signature: Uint8Array;
}

export function ticketCodePayload(eventId: string, ticketId: string, generation = 0): string {
  if (!Number.isInteger(generation) || generation < 0 || generation > 0xffffffff)
    throw new RangeError(`not a code generation: ${generation}`);
  const bytes = new Uint8Array(generation === 0 ? 32 : 36);
  bytes.set(uuidToBytes(eventId), 0);
  bytes.set(uuidToBytes(ticketId), 16);
  if (generation > 0) new DataView(bytes.buffer).setUint32(32, generation);
  return `${generation === 0 ? CODE_VERSION : TRANSFERRED_VERSION}.${toBase64Url(bytes)}`;
}

export function joinTicketCode(payload: string, signature: Uint8Array): string {
  return `${payload}.${toBase64Url(signature)}`;
}

/** Splits a scanned string into its parts, or null when it is not a well-formed Velvet code. */
export function parseTicketCode(code: string): TicketCodeParts | null {
  if (code.length > 200) return null;
  const parts = code.trim().split('.');
  if (parts.length !== 3) return null;
  const payloadLength = parts[0] === CODE_VERSION ? 32 : parts[0] === TRANSFERRED_VERSION ? 36 : 0;
  const payload = fromBase64Url(parts[1]!);
  const signature = fromBase64Url(parts[2]!);
  if (!payload || payloadLength === 0 || payload.length !== payloadLength || !signature || signature.length !== 64)
    return null;
  const generation = payloadLength === 36 ? new DataView(payload.buffer, payload.byteOffset).getUint32(32) : 0;
  // One spelling per code: generation 0 is only ever V1.
  if (payloadLength === 36 && generation === 0) return null;
  return {
    eventId: bytesToUuid(payload.subarray(0, 16)),
    ticketId: bytesToUuid(payload.subarray(16, 32)),
    generation,
    signed: new TextEncoder().encode(`${parts[0]}.${parts[1]}`),
    signature,
  };
}

/** The code exactly as `joinTicketCode` writes it (what a ticket row stores): no stray whitespace. */
export function canonicalCode(parts: TicketCodeParts): string {
  return joinTicketCode(new TextDecoder().decode(parts.signed), parts.signature);
}

function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`not a uuid: ${uuid}`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function bytesToUuid(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (const ch of text) {
    value = (value << 6) | ALPHABET.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  return out;
}
