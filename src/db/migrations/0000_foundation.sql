-- Velvet's schema. The database itself refuses what must never happen: double-sold tables,
-- negative money, a ticket on two guest lists, and any status moving backwards.
CREATE TABLE settings (
  key text PRIMARY KEY,
  value text NOT NULL
);
--> statement-breakpoint
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'staff')),
  created_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE TABLE events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  ga_price_cents integer NOT NULL CHECK (ga_price_cents >= 0),
  ga_capacity integer NOT NULL CHECK (ga_capacity >= 0),
  ga_sold integer NOT NULL DEFAULT 0 CHECK (ga_sold >= 0 AND ga_sold <= ga_capacity),
  status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled', 'completed')),
  cancelled_at timestamptz,
  completed_at timestamptz,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
--> statement-breakpoint
CREATE INDEX events_due_completion ON events (ends_at) WHERE status = 'scheduled';
--> statement-breakpoint
CREATE TABLE tiers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid NOT NULL REFERENCES events(id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  price_cents integer NOT NULL CHECK (price_cents >= 0),
  capacity integer NOT NULL CHECK (capacity >= 1),
  min_spend_cents integer CHECK (min_spend_cents >= 0),
  UNIQUE (event_id, name),
  UNIQUE (event_id, id)
);
--> statement-breakpoint
CREATE TABLE event_tables (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid NOT NULL REFERENCES events(id),
  tier_id uuid NOT NULL,
  number integer NOT NULL CHECK (number >= 1),
  x double precision NOT NULL,
  y double precision NOT NULL,
  UNIQUE (event_id, number),
  UNIQUE (event_id, id),
  FOREIGN KEY (event_id, tier_id) REFERENCES tiers(event_id, id)
);
--> statement-breakpoint
CREATE TABLE orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid NOT NULL REFERENCES events(id),
  email text NOT NULL,
  name text NOT NULL,
  ga_quantity integer NOT NULL CHECK (ga_quantity >= 1),
  event_table_id uuid,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'expired', 'refunded')),
  amount_cents integer NOT NULL CHECK (amount_cents >= 0),
  refunded_cents integer NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0 AND refunded_cents <= amount_cents),
  currency char(3) NOT NULL,
  expires_at timestamptz NOT NULL,
  paid_at timestamptz,
  refund_reason text CHECK (refund_reason IN ('event_cancelled', 'late_payment')),
  manage_token_hash text NOT NULL UNIQUE,
  payment_provider text NOT NULL CHECK (payment_provider IN ('local', 'stripe')),
  provider_payment_id text UNIQUE,
  provider_client_secret text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (event_id, event_table_id) REFERENCES event_tables(event_id, id)
);
--> statement-breakpoint
CREATE INDEX orders_due_expiry ON orders (expires_at) WHERE status = 'pending';
--> statement-breakpoint
CREATE INDEX orders_event ON orders (event_id, status);
--> statement-breakpoint
CREATE TABLE tickets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid NOT NULL REFERENCES events(id),
  order_id uuid NOT NULL REFERENCES orders(id),
  holder_name text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'valid', 'checked_in', 'void')),
  qr text UNIQUE,
  checked_in_at timestamptz,
  first_scanner_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, id),
  CHECK ((status = 'checked_in') = (checked_in_at IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX tickets_order ON tickets (order_id);
--> statement-breakpoint
CREATE INDEX tickets_event_changed ON tickets (event_id, updated_at);
--> statement-breakpoint
CREATE TABLE reservations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid NOT NULL REFERENCES events(id),
  event_table_id uuid NOT NULL,
  order_id uuid NOT NULL UNIQUE REFERENCES orders(id),
  host_ticket_id uuid NOT NULL UNIQUE,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'confirmed', 'checked_in', 'completed', 'cancelled')),
  no_show boolean NOT NULL DEFAULT false,
  invite_code text NOT NULL UNIQUE CHECK (invite_code ~ '^[2-9A-HJ-NP-Z]{8}$'),
  checked_in_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (event_id, event_table_id) REFERENCES event_tables(event_id, id),
  FOREIGN KEY (event_id, host_ticket_id) REFERENCES tickets(event_id, id),
  CHECK (NOT no_show OR status = 'completed')
);
--> statement-breakpoint
-- One table, one party: at most one live reservation per event table, whatever the code does.
CREATE UNIQUE INDEX reservations_one_active_per_table ON reservations (event_table_id)
  WHERE status IN ('pending', 'confirmed', 'checked_in');
--> statement-breakpoint
CREATE INDEX reservations_event ON reservations (event_id, status);
--> statement-breakpoint
CREATE TABLE guest_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid NOT NULL,
  ticket_id uuid NOT NULL,
  reservation_id uuid NOT NULL REFERENCES reservations(id),
  linked_by_user_id uuid REFERENCES users(id),
  override_capacity boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  unlinked_at timestamptz,
  unlinked_by text CHECK (unlinked_by IN ('guest', 'purchaser', 'staff', 'system')),
  FOREIGN KEY (event_id, ticket_id) REFERENCES tickets(event_id, id),
  CHECK (NOT override_capacity OR linked_by_user_id IS NOT NULL),
  CHECK ((unlinked_at IS NULL) = (unlinked_by IS NULL))
);
--> statement-breakpoint
-- A ticket sits on at most one guest list at a time.
CREATE UNIQUE INDEX guest_links_one_active_per_ticket ON guest_links (ticket_id) WHERE unlinked_at IS NULL;
--> statement-breakpoint
CREATE INDEX guest_links_reservation ON guest_links (reservation_id) WHERE unlinked_at IS NULL;
--> statement-breakpoint
CREATE INDEX guest_links_event_changed ON guest_links (event_id, created_at);
--> statement-breakpoint
CREATE TABLE scans (
  id bigserial PRIMARY KEY,
  event_id uuid REFERENCES events(id),
  ticket_id uuid REFERENCES tickets(id),
  scanner_id text NOT NULL,
  user_id uuid REFERENCES users(id),
  nonce text,
  scanned_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  offline boolean NOT NULL DEFAULT false,
  result text NOT NULL CHECK (result IN ('admitted', 'reentry', 'rejected')),
  reason text,
  offline_result text CHECK (offline_result IN ('admitted', 'reentry', 'rejected')),
  conflict text,
  response jsonb
);
--> statement-breakpoint
CREATE UNIQUE INDEX scans_nonce ON scans (scanner_id, nonce) WHERE nonce IS NOT NULL;
--> statement-breakpoint
CREATE INDEX scans_ticket ON scans (ticket_id, scanned_at);
--> statement-breakpoint
CREATE TABLE refunds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid NOT NULL REFERENCES events(id),
  order_id uuid NOT NULL UNIQUE REFERENCES orders(id),
  amount_cents integer NOT NULL CHECK (amount_cents > 0),
  currency char(3) NOT NULL,
  reason text NOT NULL CHECK (reason IN ('event_cancelled', 'late_payment')),
  idempotency_key text NOT NULL UNIQUE,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  provider_refund_id text,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'succeeded' OR provider_refund_id IS NOT NULL)
);
--> statement-breakpoint
CREATE INDEX refunds_due ON refunds (next_attempt_at) WHERE status = 'pending';
--> statement-breakpoint
CREATE TABLE webhook_events (
  id text PRIMARY KEY,
  type text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
-- Forward-only statuses. Each allowed step is listed; everything else is refused, so a bug in any
-- code path (or a hand-written UPDATE) cannot move a reservation, ticket or order backwards.
CREATE FUNCTION velvet_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  allowed text[];
BEGIN
  IF NEW.status = OLD.status THEN
    RETURN NEW;
  END IF;
  allowed := CASE TG_TABLE_NAME
    WHEN 'reservations' THEN ARRAY['pending>confirmed', 'pending>cancelled', 'confirmed>checked_in',
      'confirmed>cancelled', 'confirmed>completed', 'checked_in>completed']
    WHEN 'tickets' THEN ARRAY['pending>valid', 'pending>void', 'valid>checked_in', 'valid>void']
    WHEN 'orders' THEN ARRAY['pending>paid', 'pending>expired', 'paid>refunded', 'expired>refunded']
    WHEN 'events' THEN ARRAY['scheduled>cancelled', 'scheduled>completed']
    WHEN 'refunds' THEN ARRAY['pending>succeeded', 'pending>failed']
  END;
  IF NOT (OLD.status || '>' || NEW.status) = ANY (allowed) THEN
    RAISE EXCEPTION 'illegal % status transition % -> %', TG_TABLE_NAME, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  -- A reservation skips from confirmed to completed only as a no-show.
  -- (Nested: PL/pgSQL does not short-circuit AND, and only reservations have no_show.)
  IF TG_TABLE_NAME = 'reservations' THEN
    IF OLD.status = 'confirmed' AND NEW.status = 'completed' AND NOT NEW.no_show THEN
      RAISE EXCEPTION 'a confirmed reservation completes only as a no-show' USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE FUNCTION velvet_initial_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  first_status text := CASE TG_TABLE_NAME WHEN 'events' THEN 'scheduled' ELSE 'pending' END;
BEGIN
  IF NEW.status <> first_status THEN
    RAISE EXCEPTION '% must start as %, not %', TG_TABLE_NAME, first_status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER reservations_forward_only BEFORE UPDATE OF status ON reservations
  FOR EACH ROW EXECUTE FUNCTION velvet_forward_only();
--> statement-breakpoint
CREATE TRIGGER tickets_forward_only BEFORE UPDATE OF status ON tickets
  FOR EACH ROW EXECUTE FUNCTION velvet_forward_only();
--> statement-breakpoint
CREATE TRIGGER orders_forward_only BEFORE UPDATE OF status ON orders
  FOR EACH ROW EXECUTE FUNCTION velvet_forward_only();
--> statement-breakpoint
CREATE TRIGGER events_forward_only BEFORE UPDATE OF status ON events
  FOR EACH ROW EXECUTE FUNCTION velvet_forward_only();
--> statement-breakpoint
CREATE TRIGGER refunds_forward_only BEFORE UPDATE OF status ON refunds
  FOR EACH ROW EXECUTE FUNCTION velvet_forward_only();
--> statement-breakpoint
CREATE TRIGGER reservations_initial BEFORE INSERT ON reservations
  FOR EACH ROW EXECUTE FUNCTION velvet_initial_status();
--> statement-breakpoint
CREATE TRIGGER tickets_initial BEFORE INSERT ON tickets
  FOR EACH ROW EXECUTE FUNCTION velvet_initial_status();
--> statement-breakpoint
CREATE TRIGGER orders_initial BEFORE INSERT ON orders
  FOR EACH ROW EXECUTE FUNCTION velvet_initial_status();
--> statement-breakpoint
CREATE TRIGGER events_initial BEFORE INSERT ON events
  FOR EACH ROW EXECUTE FUNCTION velvet_initial_status();
--> statement-breakpoint
CREATE TRIGGER refunds_initial BEFORE INSERT ON refunds
  FOR EACH ROW EXECUTE FUNCTION velvet_initial_status();
