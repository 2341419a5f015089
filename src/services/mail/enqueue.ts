import type { Executor } from '../../db/database.js';
import { enqueueMail, type MailKind } from '../../db/repos/mails.repo.js';
import type { OrderRow } from '../../db/repos/orders.repo.js';

/** Fixed by the order and the kind, so every send of this mail is one message. */
export const orderMailMessageId = (kind: MailKind, orderId: string) => `<${kind}.${orderId}@velvet.mail>`;

/** Puts the buyer's mail about `order` in the outbox, in the transaction that makes it true. */
export async function enqueueOrderMail(
  db: Executor,
  order: Pick<OrderRow, 'id' | 'email'>,
  kind: MailKind,
): Promise<void> {
  await enqueueMail(db, {
    orderId: order.id,
    kind,
    recipient: order.email,
    messageId: orderMailMessageId(kind, order.id),
  });
}
