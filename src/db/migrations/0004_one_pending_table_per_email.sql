-- Anti-hoarding: an e-mail may hold at most one unpaid table order per event. The service checks
-- first (a clear refusal); this index keeps it true under concurrent orders.
CREATE UNIQUE INDEX orders_one_pending_table_per_email ON orders (event_id, lower(email)) WHERE status = 'pending' AND event_table_id IS NOT NULL;
--> statement-breakpoint
-- Orders per e-mail per minute (VELVET_ORDERS_PER_MINUTE_PER_EMAIL) are counted with this.
CREATE INDEX orders_by_email_recent ON orders (lower(email), created_at);
