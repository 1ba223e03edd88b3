-- Hardening (issue 8): idle session logoff, the rate limiter's shared counters, and a hash-chained key audit.

-- Automatic logoff: a session also ends after an idle period (lib/auth/server/sessions.ts, SESSION_IDLE_MINUTES).
-- Each authenticated request moves last_seen_at forward; "sign out everywhere" deletes by address.
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX sessions_address ON sessions (address);

-- rate-limiter-flexible's RateLimiterPostgres store (its own table layout, created here rather than by the
-- library so the app's role needs no CREATE privilege). Keys are "<limiter>:<client address or session>",
-- expire is epoch milliseconds. Every app instance on this database shares the counts.
CREATE TABLE rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
CREATE INDEX rate_limits_expire ON rate_limits (expire);

-- The key audit as a hash chain: each row carries the hash of the row before it (by seq) and its own hash
-- over its fields, computed by a trigger the app cannot bypass (the app's role has only INSERT and SELECT on
-- this table, it is not the owner). `npm run audit:verify` recomputes the chain and names the first broken link.
--   row_hash = sha256(prev_hash || utf8("seq|id|at|actor|record_id|action|allowed|reason"))
--   at as YYYY-MM-DDTHH:MI:SS.USZ in UTC, allowed as t/f; the first row's prev_hash is 32 zero bytes.
ALTER TABLE key_audit ADD COLUMN seq bigint;
ALTER TABLE key_audit ADD COLUMN prev_hash bytea;
ALTER TABLE key_audit ADD COLUMN row_hash bytea;

CREATE FUNCTION key_audit_row_hash(seq bigint, id bigint, at timestamptz, actor text, record_id numeric, action text, allowed boolean, reason text, prev_hash bytea)
RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT sha256(prev_hash || convert_to(concat_ws('|', seq::text, id::text,
    to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), actor, record_id::text, action,
    CASE WHEN allowed THEN 't' ELSE 'f' END, reason), 'UTF8'))
$$;

-- Rows written before this migration join the chain in id order (the append-only trigger is lifted for
-- this one transaction, by the owner).
ALTER TABLE key_audit DISABLE TRIGGER key_audit_no_update_delete;
DO $$
DECLARE
  r record;
  n bigint := 0;
  prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
  h bytea;
BEGIN
  FOR r IN SELECT * FROM key_audit ORDER BY id LOOP
    n := n + 1;
    h := key_audit_row_hash(n, r.id, r.at, r.actor, r.record_id, r.action, r.allowed, r.reason, prev);
    UPDATE key_audit SET seq = n, prev_hash = prev, row_hash = h WHERE id = r.id;
    prev := h;
  END LOOP;
END;
$$;
ALTER TABLE key_audit ENABLE TRIGGER key_audit_no_update_delete;

ALTER TABLE key_audit ALTER COLUMN seq SET NOT NULL;
ALTER TABLE key_audit ALTER COLUMN prev_hash SET NOT NULL;
ALTER TABLE key_audit ALTER COLUMN row_hash SET NOT NULL;
ALTER TABLE key_audit ADD CONSTRAINT key_audit_seq_unique UNIQUE (seq);
ALTER TABLE key_audit ADD CONSTRAINT key_audit_hash_sizes CHECK (octet_length(prev_hash) = 32 AND octet_length(row_hash) = 32);

-- Appends serialise on a transaction-level advisory lock, so seq has no gaps and each row links to the one
-- committed before it; whatever the inserter passes for seq and the hashes is overwritten.
CREATE FUNCTION key_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last record;
BEGIN
  PERFORM pg_advisory_xact_lock(4242005);
  SELECT seq, row_hash INTO last FROM key_audit ORDER BY seq DESC LIMIT 1;
  IF last IS NULL THEN
    NEW.seq := 1;
    NEW.prev_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
  ELSE
    NEW.seq := last.seq + 1;
    NEW.prev_hash := last.row_hash;
  END IF;
  NEW.at := date_trunc('microseconds', NEW.at);
  NEW.row_hash := key_audit_row_hash(NEW.seq, NEW.id, NEW.at, NEW.actor, NEW.record_id, NEW.action, NEW.allowed, NEW.reason, NEW.prev_hash);
  RETURN NEW;
END;
$$;
CREATE TRIGGER key_audit_chain BEFORE INSERT ON key_audit FOR EACH ROW EXECUTE FUNCTION key_audit_chain();
