import sharp from 'sharp';
import { doorTickets } from '../../db/repos/door.repo.js';
import { findCover } from '../../db/repos/event-covers.repo.js';
import { findEvent } from '../../db/repos/events.repo.js';
import { findTicket } from '../../db/repos/tickets.repo.js';
import { listOrderTransfers } from '../../db/repos/transfers.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { WalletTicket } from '../../wallet/wallet-ticket.js';
import type { Keys } from '../../auth/ticket-signer.js';
import type { Executor } from '../../db/database.js';

const VELVET_COLOURS = { background: '#15121f', foreground: '#ffffff', label: '#c4b5fd' };

/**
 * A ticket as a wallet pass shows it, read now (so a pass downloaded again after a transfer or a
 * refund carries the current code and state). The caller has checked who is asking.
 *
 * `generation`: the pass of an earlier code (a phone that added the ticket before it was sent on
 * asks for its own pass again): it shows that code, its holder then, and is void; the new code
 * never reaches the previous holder's phone.
 */
export async function walletTicket(
  db: Executor,
  keys: Pick<Keys, 'signer'>,
  ticketId: string,
  generation?: number,
): Promise<WalletTicket> {
  const ticket = await findTicket(db, ticketId);
  const event = ticket && (await findEvent(db, ticket.eventId));
  if (!ticket || !event || (generation !== undefined && generation > ticket.codeGeneration)) throw notFound('ticket');
  if (!ticket.qr || ticket.status === 'pending')
    throw new DomainError('ticket_not_valid', 'This ticket has no code yet: it is not paid');
  const [door] = await doorTickets(db, { ticketId });
  const table = door?.table ?? null;
  const current = generation === undefined || generation === ticket.codeGeneration;
  const before = current
    ? null
    : (await listOrderTransfers(db, ticket.orderId)).find(
        (t) => t.ticketId === ticket.id && t.generation === generation! + 1,
      );
  return {
    ticketId: ticket.id,
    eventId: event.id,
    generation: current ? ticket.codeGeneration : generation!,
    code: current ? ticket.qr : keys.signer.sign(event.id, ticket.id, generation!),
    valid: current && (ticket.status === 'valid' || ticket.status === 'checked_in') && event.status !== 'cancelled',
    holderName: before?.fromName ?? ticket.holderName,
    eventName: event.name,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    venue: [event.venueName, event.venueAddress].filter(Boolean).join(', '),
    table: table ? { number: table.tableNumber, tier: table.tier, role: table.role } : null,
    colours: await eventColours(db, event.id),
  };
}

/**
 * The event's colours: its cover's dominant colour, darkened until white text on it reads at
 * WCAG AA (4.5:1), with white text and a lighter label; Velvet's own without a cover.
 */
async function eventColours(db: Executor, eventId: string): Promise<WalletTicket['colours']> {
  const cover = await findCover(db, eventId);
  if (!cover) return VELVET_COLOURS;
  let { r, g, b } = (await sharp(cover.bytes).stats()).dominant;
  while (contrastWithWhite(r, g, b) < 4.5) [r, g, b] = [r * 0.85, g * 0.85, b * 0.85];
  const hex = (v: number) => Math.round(v).toString(16).padStart(2, '0');
  const light = (v: number) => hex(v + (255 - v) * 0.7);
  return {
    background: `#${hex(r)}${hex(g)}${hex(b)}`,
    foreground: '#ffffff',
    label: `#${light(r)}${light(g)}${light(b)}`,
  };
}

function contrastWithWhite(r: number, g: number, b: number): number {
  const lin = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const l = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return 1.05 / (l + 0.05);
}
