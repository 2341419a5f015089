-- How a scan named its ticket: `code` (the QR read or typed) or `manual` (staff picked the ticket
-- by name at the door, for a guest whose phone died). Kept so the owner can audit manual entries.
ALTER TABLE scans ADD COLUMN method text NOT NULL DEFAULT 'code' CHECK (method IN ('code', 'manual'));
