-- What a scan asked (the door's event and the code, or the ticket picked by name), as a digest: a
-- resend with the same nonce is the same request exactly when this matches, whatever the answer
-- was (record-scan.ts). Rows from before have none and are compared by the ticket they named.
ALTER TABLE scans ADD COLUMN request_digest text;
