import { createHash, createHmac, randomInt } from 'node:crypto';
import { INVITE_ALPHABET, INVITE_LENGTH } from '../domain/invite-code.js';

/**
 * An order's manage token: HMAC-SHA256 of the order id under a secret key kept in the database
 * (256 bits nobody can guess without the key). Only its SHA-256 is stored with the order, so a
 * leaked orders table opens nothing; deriving it (instead of drawing it at random) lets the mail
 * worker put the link in the buyer's mail long after the request that placed the order is gone.
 */
export function manageTokenFor(manageKey: string, orderId: string): { token: string; hash: string } {
  const token = createHmac('sha256', manageKey).update(`velvet-order-manage:${orderId}`).digest('base64url');
  return { token, hash: hashManageToken(token) };
}

export const hashManageToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** 8 characters from a 32-letter alphabet: 40 random bits, easy to read out at a bar. */
export function newInviteCode(): string {
  let code = '';
  for (let i = 0; i < INVITE_LENGTH; i++) code += INVITE_ALPHABET[randomInt(INVITE_ALPHABET.length)];
  return code;
}

/**
 * The capability of whoever a ticket was transferred to: opens that ticket alone. Derived like an
 * order's manage token (the mail worker rebuilds it for the mail), with the code generation in it,
 * so passing the ticket on again shuts the previous holder out. Only its SHA-256 is stored.
 */
export function holderTokenFor(
  manageKey: string,
  ticketId: string,
  generation: number,
): { token: string; hash: string } {
  const token = createHmac('sha256', manageKey)
    .update(`velvet-ticket-holder:${ticketId}:${generation}`)
    .digest('base64url');
  return { token, hash: hashManageToken(token) };
}

/**
 * A wallet pass's `authenticationToken` for Apple's web service: the phone that holds the pass
 * sends it to register for updates and to fetch the pass again. Derived from the pass's serial
 * (ticket and code generation): the previous holder's token still fetches their own, void pass.
 */
export function passAuthToken(manageKey: string, serial: string): string {
  return createHmac('sha256', manageKey).update(`velvet-wallet-pass:${serial}`).digest('base64url');
}
