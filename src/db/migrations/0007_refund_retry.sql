-- The owner may send a failed refund through the outbox again: refunds gain failed -> pending,
-- the one way back in any status machine (domain/state-machine.ts says why money still moves once).
CREATE OR REPLACE FUNCTION velvet_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  allowed text[];
BEGIN
  IF NEW.status = OLD.status THEN
    RETURN NEW;
  END IF;
  allowed := CASE TG_TABLE_NAME
    WHEN 'reservations' THEN ARRAY['pending>confirmed', 'pending>cancelled', 'confirmed>checked_in',
      'confirmed>cancelled', 'confirmed>completed', 'checked_in>completed']
    WHEN 'tickets' THEN ARRAY['pending>valid', 'pending>void', 'valid>checked_in', 'valid>void']
    WHEN 'orders' THEN ARRAY['pending>paid', 'pending>expired', 'paid>refunded', 'expired>refunded']
    WHEN 'events' THEN ARRAY['scheduled>cancelled', 'scheduled>completed']
    WHEN 'refunds' THEN ARRAY['pending>succeeded', 'pending>failed', 'failed>pending']
  END;
  IF NOT (OLD.status || '>' || NEW.status) = ANY (allowed) THEN
    RAISE EXCEPTION 'illegal % status transition % -> %', TG_TABLE_NAME, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  -- A reservation skips from confirmed to completed only as a no-show.
  -- (Nested: PL/pgSQL does not short-circuit AND, and only reservations have no_show.)
  IF TG_TABLE_NAME = 'reservations' THEN
    IF OLD.status = 'confirmed' AND NEW.status = 'completed' AND NOT NEW.no_show THEN
      RAISE EXCEPTION 'a confirmed reservation completes only as a no-show' USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
