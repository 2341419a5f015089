/**
 * The words the pages show for the API's machine values ("checked_in" is for programs, "Checked
 * in" for people). A value without words here is shown with its underscores as spaces.
 */
const ORDER: Record<string, string> = {
  pending: 'Awaiting payment',
  paid: 'Paid',
  expired: 'Expired',
  refunded: 'Refunded',
};
const RESERVATION: Record<string, string> = {
  pending: 'Awaiting payment',
  confirmed: 'Confirmed',
  checked_in: 'Host arrived',
  completed: 'Completed',
  cancelled: 'Cancelled',
};
const TICKET: Record<string, string> = {
  pending: 'Not paid',
  valid: 'Not in yet',
  checked_in: 'Checked in',
  void: 'Void',
};
const SCAN: Record<string, string> = { admitted: 'Admitted', reentry: 'Re-entry', rejected: 'Refused' };
const MAIL: Record<string, string> = {
  pending: 'Waiting to be sent',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
};
const REFUND: Record<string, string> = { pending: 'on its way', succeeded: 'paid back', failed: 'failed' };

const say = (words: Record<string, string>) => (value: string) => words[value] ?? value.replace(/_/g, ' ');

export const orderStatusWords = say(ORDER);
export const reservationStatusWords = say(RESERVATION);
export const ticketStatusWords = say(TICKET);
export const scanResultWords = say(SCAN);
export const mailStatusWords = say(MAIL);
export const refundStatusWords = say(REFUND);
/** "already checked in", "wrong event": a refusal's reason code in words. */
export const reasonWords = say({});
