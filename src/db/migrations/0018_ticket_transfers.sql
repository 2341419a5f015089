-- Ticket transfers (issue 20): until the event starts, whoever holds a ticket may send it to
-- someone else's e-mail. The ticket row stays (its table link, scans and counts with it); its
-- code changes: codes sign the ticket's `code_generation`, which a transfer raises, so the door
-- refuses every earlier code ("This ticket was transferred"), offline too once the scanner's
-- `?since=` delta brings the new generation. The new holder opens their ticket alone with a
-- capability of their own (only its SHA-256 stored); the buyer's order token no longer opens it.
ALTER TABLE tickets ADD COLUMN code_generation integer NOT NULL DEFAULT 0 CHECK (code_generation >= 0);
--> statement-breakpoint
ALTER TABLE tickets ADD COLUMN holder_email text CHECK (holder_email = lower(holder_email) AND length(holder_email) <= 320);
--> statement-breakpoint
ALTER TABLE tickets ADD COLUMN holder_token_hash text UNIQUE;
--> statement-breakpoint
ALTER TABLE tickets ADD CONSTRAINT tickets_held_elsewhere CHECK ((holder_token_hash IS NULL) = (code_generation = 0));
--> statement-breakpoint
-- The host's standing answer to "may my guests pass their place on?": a linked guest's transfer
-- takes the table link along only when it is yes; otherwise the ticket goes as plain GA.
ALTER TABLE reservations ADD COLUMN guests_may_transfer boolean NOT NULL DEFAULT false;
--> statement-breakpoint
-- Every transfer, for the order's history: who passed it to whom, when, and what became of its
-- table link. `generation` is the code generation the transfer created (one transfer each).
CREATE TABLE ticket_transfers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid NOT NULL,
  order_id uuid NOT NULL REFERENCES orders (id),
  ticket_id uuid NOT NULL,
  generation integer NOT NULL CHECK (generation >= 1),
  from_name text NOT NULL,
  from_email text NOT NULL,
  to_name text NOT NULL CHECK (length(btrim(to_name)) BETWEEN 1 AND 100),
  to_email text NOT NULL CHECK (to_email = lower(to_email) AND length(to_email) <= 320),
  table_link text CHECK (table_link IN ('kept', 'dropped')),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (event_id, ticket_id) REFERENCES tickets (event_id, id),
  UNIQUE (ticket_id, generation)
);
--> statement-breakpoint
CREATE INDEX ticket_transfers_order ON ticket_transfers (order_id, created_at);
--> statement-breakpoint
-- The new holder's mail: one per transfer (the buyer's mails stay one per order and kind).
ALTER TABLE mails ADD COLUMN transfer_id uuid REFERENCES ticket_transfers (id);
--> statement-breakpoint
ALTER TABLE mails DROP CONSTRAINT mails_order_id_kind_key;
--> statement-breakpoint
CREATE UNIQUE INDEX mails_order_kind ON mails (order_id, kind) WHERE transfer_id IS NULL;
--> statement-breakpoint
CREATE UNIQUE INDEX mails_transfer ON mails (transfer_id) WHERE transfer_id IS NOT NULL;
--> statement-breakpoint
ALTER TABLE mails DROP CONSTRAINT mails_kind_check;
--> statement-breakpoint
ALTER TABLE mails ADD CONSTRAINT mails_kind_check CHECK (kind IN ('order_paid', 'order_refunded', 'ticket_transferred'));
--> statement-breakpoint
ALTER TABLE mails ADD CONSTRAINT mails_transfer_kind CHECK ((kind = 'ticket_transferred') = (transfer_id IS NOT NULL));
