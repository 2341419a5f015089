-- Holding stock costs the hoarder (place-order.service.ts): what one client may hold unpaid in an
-- event is counted per client, whatever e-mails it uses. An order keeps which client placed it as
-- a keyed hash of the client's network (src/auth/client-key.ts), never the address itself.
ALTER TABLE orders ADD COLUMN client_key text;
--> statement-breakpoint
-- Every hold reads, after the event row's lock, what its client and the whole event hold unpaid:
-- from this index alone (pending orders are few: they are paid or lapse within the hold period).
CREATE INDEX orders_pending_by_client ON orders (event_id, client_key) INCLUDE (ga_quantity, event_table_id) WHERE status = 'pending';
