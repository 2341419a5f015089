-- Each claim of a refund gets its own token; recording a result requires it. A worker that lost
-- its claim (it waited past its lease, and another worker took the refund over) can then neither
-- clear the newer worker's lease nor mark failed a refund the provider already paid.
ALTER TABLE refunds ADD COLUMN lease_token uuid;
