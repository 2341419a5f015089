-- The owner may refund one order in full (a complaint, a mistake): a third reason for a refund.
ALTER TABLE orders DROP CONSTRAINT orders_refund_reason_check;
--> statement-breakpoint
ALTER TABLE orders ADD CONSTRAINT orders_refund_reason_check CHECK (refund_reason IN ('event_cancelled', 'late_payment', 'owner_refund'));
--> statement-breakpoint
ALTER TABLE refunds DROP CONSTRAINT refunds_reason_check;
--> statement-breakpoint
ALTER TABLE refunds ADD CONSTRAINT refunds_reason_check CHECK (reason IN ('event_cancelled', 'late_payment', 'owner_refund'));
