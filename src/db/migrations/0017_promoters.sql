-- Promoters (issue 20): people the owner pays by what they sell. Each has a short code for links
-- (`/e/:id?p=CODE`); an order placed through one remembers it, and the owner sees per promoter
-- and night what their buyers bought, were refunded and how many came in.
CREATE TABLE promoters (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
  -- Letters, digits and dashes, stored in lower case: links are typed and read aloud.
  code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,31}$'),
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
ALTER TABLE orders ADD COLUMN promoter_id uuid REFERENCES promoters (id);
--> statement-breakpoint
CREATE INDEX orders_promoter ON orders (event_id, promoter_id) WHERE promoter_id IS NOT NULL;
