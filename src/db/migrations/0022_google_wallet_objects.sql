-- Google Wallet objects Velvet issued "save" links for (issue 20): when what one shows changes (a
-- transfer voids the previous holder's, a refund or a cancellation voids it, a new name, the night
-- moved), Velvet updates it through Google's Wallet API. An object never saved is not there to update.
CREATE TABLE google_wallet_objects (
  object_id text PRIMARY KEY CHECK (length(object_id) <= 200),
  ticket_id uuid NOT NULL REFERENCES tickets (id),
  generation integer NOT NULL CHECK (generation >= 0),
  fingerprint text NOT NULL,
  checked_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE INDEX google_wallet_objects_ticket ON google_wallet_objects (ticket_id);
