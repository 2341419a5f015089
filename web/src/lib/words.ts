import type { MessageValues } from '@i18n/translator.js';
import { isMessageKey, t } from './i18n.js';

/**
 * The words the pages show for the API's machine values ("checked_in" is for programs, "Checked
 * in" for people), in the page's language: the catalogue's `<group>.<value>`. A value without
 * words there is shown with its underscores as spaces.
 */
const say =
  (group: string, values?: MessageValues) =>
  (value: string): string => {
    const key = `${group}.${value}`;
    return isMessageKey(key) ? t(key, values) : value.replace(/_/g, ' ');
  };

export const orderStatusWords = say('words.order');
export const reservationStatusWords = say('words.reservation');
export const ticketStatusWords = say('words.ticket');
export const scanResultWords = say('words.scan');
export const mailStatusWords = say('words.mail');
export const refundStatusWords = say('words.refund');
/** "Already checked in", "This ticket is for another event": a refusal's reason code, as the door says it. */
export const reasonWords = say(
  'door.reason',
  // The door's words name when and where when it knows (door.reason.already_checked_in); here it does not.
  { at: 'none', scanner: 'none' },
);
