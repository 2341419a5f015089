-- Accounts are managed from the dashboard while Velvet runs: a display name, disabling, and a
-- session epoch. Login tokens carry the epoch they were issued in; disabling an account or
-- resetting its password moves the epoch on, so every token issued before stops working.
ALTER TABLE users ADD COLUMN name text NOT NULL DEFAULT '' CHECK (length(name) <= 100);
--> statement-breakpoint
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
--> statement-breakpoint
ALTER TABLE users ADD COLUMN session_epoch integer NOT NULL DEFAULT 0 CHECK (session_epoch >= 0);
