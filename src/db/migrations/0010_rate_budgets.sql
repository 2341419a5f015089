-- One provider rate limit shared by every Velvet process on this database (rate-budget.ts): the
-- "theoretical arrival time" of a GCRA token bucket, moved forward by each call that takes a slot.
CREATE TABLE rate_budgets (
  name text PRIMARY KEY,
  tat timestamptz NOT NULL
);
