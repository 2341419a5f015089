-- The buyer's mails go through an outbox, like refunds: a row is written in the transaction that
-- makes the mail due (an order paid, a refund made), and a worker sends it. One mail of each kind
-- per order, whatever retries, webhooks twice or crashes do; the Message-ID is fixed at insert so
-- a resend after a crash mid-send is the same message to the recipient's mail client.
CREATE TABLE mails (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id uuid NOT NULL REFERENCES orders(id),
  kind text NOT NULL CHECK (kind IN ('order_paid', 'order_refunded')),
  recipient text NOT NULL,
  message_id text NOT NULL UNIQUE,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  lease_token uuid,
  sent_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (order_id, kind),
  CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX mails_due ON mails (next_attempt_at) WHERE status = 'pending';
