-- Whoever holds a transferred ticket hears when it stops admitting anyone (its order refunded,
-- the night cancelled): the buyer's refund mail goes to the buyer only. One such mail per
-- transfer, beside the one that announced it.
DROP INDEX mails_transfer;
--> statement-breakpoint
CREATE UNIQUE INDEX mails_transfer ON mails (transfer_id, kind) WHERE transfer_id IS NOT NULL;
--> statement-breakpoint
ALTER TABLE mails DROP CONSTRAINT mails_transfer_kind;
--> statement-breakpoint
ALTER TABLE mails DROP CONSTRAINT mails_kind_check;
--> statement-breakpoint
ALTER TABLE mails ADD CONSTRAINT mails_kind_check CHECK (kind IN ('order_paid', 'order_refunded', 'ticket_transferred', 'waitlist_offer', 'ticket_voided'));
--> statement-breakpoint
ALTER TABLE mails ADD CONSTRAINT mails_transfer_kind CHECK ((kind IN ('ticket_transferred', 'ticket_voided')) = (transfer_id IS NOT NULL));
