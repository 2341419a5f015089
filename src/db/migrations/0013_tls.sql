-- HTTPS built in (src/tls): the certificate Velvet obtains over ACME lives in the database, so every
-- instance on it serves the same one and only one of them orders or renews it at a time (an
-- advisory lock). One row per set of domains; the ACME account's key is a setting.
CREATE TABLE tls_certificates (
  domains text PRIMARY KEY,
  key_pem text NOT NULL,
  cert_pem text NOT NULL,
  not_before timestamptz NOT NULL,
  not_after timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
-- HTTP-01 challenges in flight: the certificate authority may ask any instance for the answer.
CREATE TABLE acme_challenges (
  token text PRIMARY KEY,
  key_authorization text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
