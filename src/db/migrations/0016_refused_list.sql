-- The venue's refused list (issue 19): people the venue will not let in, by name and/or e-mail,
-- with why, who added them and when; removing someone keeps the entry with who removed it and
-- when. A ticket whose holder's name or whose buyer's e-mail is on the list is refused at the door
-- (online and offline), and a listed e-mail cannot buy.
--
-- Names are compared by a key (trimmed, spaces collapsed, lower case): "  Max  MUSTER" is
-- "max muster". The same function keys the list and the lookup, so they cannot drift.
CREATE FUNCTION velvet_name_key(name text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN lower(regexp_replace(btrim(name), '\s+', ' ', 'g'));
--> statement-breakpoint
CREATE TABLE refused_people (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
  name_key text GENERATED ALWAYS AS (velvet_name_key(name)) STORED,
  email text NOT NULL DEFAULT '' CHECK (length(email) <= 320 AND email = lower(email)),
  reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
  added_by uuid NOT NULL REFERENCES users (id),
  added_at timestamptz NOT NULL DEFAULT now(),
  removed_by uuid REFERENCES users (id),
  removed_at timestamptz,
  CHECK (btrim(name) <> '' OR email <> ''),
  CHECK ((removed_at IS NULL) = (removed_by IS NULL))
);
--> statement-breakpoint
CREATE INDEX refused_people_name ON refused_people (name_key) WHERE removed_at IS NULL AND name_key <> '';
--> statement-breakpoint
CREATE INDEX refused_people_email ON refused_people (email) WHERE removed_at IS NULL AND email <> '';
