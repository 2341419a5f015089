-- The host's night (issue 19). A VIP host's phone may ask to be told when each of their guests
-- arrives (Web Push): its subscription is kept per reservation (a host may use two phones), and
-- each linked guest's first admission puts one push per subscription in an outbox, in the scan's
-- own transaction, sent afterwards by a worker like mail. UNIQUE (subscription, ticket): however
-- a scan is retried or synced, one arrival is one notification.
CREATE TABLE push_subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  reservation_id uuid NOT NULL REFERENCES reservations (id) ON DELETE CASCADE,
  endpoint text NOT NULL CHECK (length(endpoint) BETWEEN 1 AND 2000),
  p256dh text NOT NULL CHECK (length(p256dh) BETWEEN 1 AND 200),
  auth text NOT NULL CHECK (length(auth) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (reservation_id, endpoint)
);
--> statement-breakpoint
CREATE TABLE pushes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- An expired subscription (the push service answered 404/410) is deleted with what it had pending.
  subscription_id uuid NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
  reservation_id uuid NOT NULL REFERENCES reservations (id),
  ticket_id uuid NOT NULL REFERENCES tickets (id),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  lease_token uuid,
  sent_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subscription_id, ticket_id),
  CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX pushes_due ON pushes (next_attempt_at) WHERE status = 'pending';
--> statement-breakpoint
-- Age checks: an event may admit only people of at least 18 or 21; the buyer confirms it when
-- ordering (the time is kept on the order), and the door is told to check ID at every admission.
ALTER TABLE events ADD COLUMN min_age smallint CHECK (min_age IN (18, 21));
--> statement-breakpoint
ALTER TABLE orders ADD COLUMN age_confirmed_at timestamptz;
