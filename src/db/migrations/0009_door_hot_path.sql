-- The door's hot path (BENCHMARKS.md). Measured per scan on PostgreSQL, before this migration the
-- check-in UPDATE wrote 6 WAL records and the scan INSERT 6, where the smallest check-in writes 2.
--
-- 1. The scan log's references to the event and the staff account are checked by the code (it
--    writes the ids of rows it has just read), not by foreign keys: every foreign-key check takes
--    a KEY SHARE lock on the referenced row, and at a door rush every scan locks the same event
--    row and the same few staff rows, so PostgreSQL builds a new multixact per scan. Those rows
--    can no longer go away instead: events and accounts are never deleted (refused below; an
--    account is disabled, an event cancelled or completed). The ticket reference stays a foreign
--    key: the scan already holds that row's lock.
ALTER TABLE scans DROP CONSTRAINT scans_event_id_fkey;
--> statement-breakpoint
ALTER TABLE scans DROP CONSTRAINT scans_user_id_fkey;
--> statement-breakpoint
CREATE FUNCTION velvet_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are never deleted (scans refer to them)', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER events_never_deleted BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION velvet_never_deleted();
--> statement-breakpoint
CREATE TRIGGER users_never_deleted BEFORE DELETE ON users FOR EACH ROW EXECUTE FUNCTION velvet_never_deleted();
--> statement-breakpoint
-- 2. A check-in changes no indexed column, so it is a HOT update (no new index entries) when the
--    page has room: tickets pages keep 20% free, and the "changed since" index on updated_at goes
--    (the scanner cache's delta reads one event's tickets through tickets (event_id, id) and
--    compares updated_at there; it also compares the reservations', which no index could serve).
DROP INDEX tickets_event_changed;
--> statement-breakpoint
ALTER TABLE tickets SET (fillfactor = 80);
