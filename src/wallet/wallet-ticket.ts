/** What a wallet pass shows of a ticket, Apple's and Google's alike. */
export interface WalletTicket {
  ticketId: string;
  eventId: string;
  /** Which of the ticket's codes the pass carries (each holder's pass is its own: a transfer voids the one before). */
  generation: number;
  /** That signed code: the pass's barcode. */
  code: string;
  /** Paid and not void: a refunded or cancelled ticket's pass says it is void. */
  valid: boolean;
  holderName: string;
  eventName: string;
  startsAt: Date;
  endsAt: Date;
  /** "The Vault, Köpenicker Str. 70, Berlin", or what of it the owner gave ('' when nothing). */
  venue: string;
  table: { number: number; tier: string; role: 'host' | 'guest' } | null;
  colours: { background: string; foreground: string; label: string };
}
