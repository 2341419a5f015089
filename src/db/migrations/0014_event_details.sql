-- What a buyer wants to know before buying: where (the venue's name and address), what (a
-- description), and a cover image the owner uploads. The image is stored resized (at most
-- 1600 x 1600, WebP) in a table of its own, so reading an event never drags its bytes along.
ALTER TABLE events ADD COLUMN venue_name text NOT NULL DEFAULT '' CHECK (length(venue_name) <= 200);
--> statement-breakpoint
ALTER TABLE events ADD COLUMN venue_address text NOT NULL DEFAULT '' CHECK (length(venue_address) <= 300);
--> statement-breakpoint
ALTER TABLE events ADD COLUMN description text NOT NULL DEFAULT '' CHECK (length(description) <= 4000);
--> statement-breakpoint
-- The cover's version, for its URL (a new upload is a new address, so browsers may cache forever).
ALTER TABLE events ADD COLUMN cover_etag text;
--> statement-breakpoint
CREATE TABLE event_covers (
  event_id uuid PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  content_type text NOT NULL CHECK (content_type = 'image/webp'),
  bytes bytea NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 2000000),
  width integer NOT NULL CHECK (width BETWEEN 1 AND 1600),
  height integer NOT NULL CHECK (height BETWEEN 1 AND 1600),
  etag text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
