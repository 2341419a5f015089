-- Offline scans sync in any order. When a scan arrives that is earlier than the ticket's recorded
-- first entry, it becomes the first entry and the later one is the duplicate: that later scan's
-- row is not rewritten (the log is append-only); the new row names it here.
ALTER TABLE scans ADD COLUMN displaced_scan_id bigint REFERENCES scans(id);
