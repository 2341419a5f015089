-- A fair waitlist for sold-out nights (issue 20). People wait in the order they joined; when GA
-- places come free, the longest-waiting person whose party fits is offered them as a hold of their
-- own: an unpaid order made for them (the GA counter counts it, so nobody else can take those
-- places), lasting VELVET_WAITLIST_OFFER_MINUTES. Paid, it is bought; lapsed, its places go back
-- and on to the next person. What became of an offer is its order's status.
CREATE TABLE waitlist_entries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid NOT NULL REFERENCES events (id),
  email text NOT NULL CHECK (email = lower(email) AND length(email) <= 320),
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 100),
  status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'offered')),
  order_id uuid UNIQUE REFERENCES orders (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  offered_at timestamptz,
  CHECK ((status = 'offered') = (order_id IS NOT NULL)),
  CHECK ((status = 'offered') = (offered_at IS NOT NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX waitlist_one_waiting_per_email ON waitlist_entries (event_id, email) WHERE status = 'waiting';
--> statement-breakpoint
CREATE INDEX waitlist_queue ON waitlist_entries (event_id, created_at, id) WHERE status = 'waiting';
--> statement-breakpoint
ALTER TABLE mails DROP CONSTRAINT mails_kind_check;
--> statement-breakpoint
ALTER TABLE mails ADD CONSTRAINT mails_kind_check CHECK (kind IN ('order_paid', 'order_refunded', 'ticket_transferred', 'waitlist_offer'));
