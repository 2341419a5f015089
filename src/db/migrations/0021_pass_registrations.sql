-- Apple Wallet's web service (issue 20): a phone that added a ticket's pass registers for its
-- updates; when what the pass shows changes (a transfer voids the old holder's pass, a refund or a
-- cancellation voids it, a new name, a table, the night moved), Velvet pushes the phone through
-- APNs and the phone fetches the pass again. One pass per ticket and code generation (`serial`):
-- a transfer gives the new holder a pass of their own and voids the one before.
CREATE TABLE pass_registrations (
  device_id text NOT NULL CHECK (length(device_id) BETWEEN 1 AND 128),
  serial text NOT NULL CHECK (length(serial) <= 64),
  ticket_id uuid NOT NULL REFERENCES tickets (id),
  generation integer NOT NULL CHECK (generation >= 0),
  push_token text NOT NULL CHECK (length(push_token) BETWEEN 1 AND 256),
  -- What the pass showed when this phone last had it (a digest), and when that last changed.
  fingerprint text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  -- The ticket's and the event's changes up to here were looked at (database time).
  checked_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, serial)
);
--> statement-breakpoint
CREATE INDEX pass_registrations_ticket ON pass_registrations (ticket_id);
