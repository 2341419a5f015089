import type { Executor } from '../../db/database.js';
import { enqueueMail, type MailKind } from '../../db/repos/mails.repo.js';
import type { OrderRow } from '../../db/repos/orders.repo.js';

/**
 * Puts the buyer's mail about `order` in the outbox, in the transaction that makes it true. The
 * Message-ID is fixed here, from the order and the kind, so every send of this mail is one message.
 */
export async function enqueueOrderMail(db: Executor, order: Pick<OrderRow, 'id' | 'email'>, kind: MailKind): Promise<void> {
  await enqueueMail(db, { orderId: order.id, kind, recipient: order.email, messageId: `<${kind}.${order.id}@velvet.mail>` });
}
