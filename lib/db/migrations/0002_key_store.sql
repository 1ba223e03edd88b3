-- Sign-In with Ethereum, the key store (uploads, records, wrapped data keys), encrypted profiles and the
-- append-only audit of key requests. No plaintext health data is stored anywhere: metadata and profiles are
-- ciphertext (lib/crypto), keys are wrapped for their recipient. Addresses are lowercase hex.

-- One-time SIWE nonces; a nonce is deleted when it is used (DELETE ... RETURNING) or when it expires.
CREATE TABLE siwe_nonces (
  nonce text PRIMARY KEY CHECK (nonce ~ '^[A-Za-z0-9]{16,64}$'),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX siwe_nonces_expires_at ON siwe_nonces (expires_at);

-- Sessions: only the SHA-256 of the cookie token is stored, so a database leak gives no usable cookie.
CREATE TABLE sessions (
  token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  address text NOT NULL CHECK (address ~ '^0x[0-9a-f]{40}$'),
  chain_id integer NOT NULL CHECK (chain_id > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- An upload from creation to its record on chain. `cid` is set once the ciphertext is pinned; UNIQUE makes
-- the same ciphertext uploaded twice a conflict. Confirmed uploads are kept so that confirm is idempotent.
CREATE TABLE uploads (
  id uuid PRIMARY KEY,
  uploader text NOT NULL CHECK (uploader ~ '^0x[0-9a-f]{40}$'),
  patient text NOT NULL CHECK (patient ~ '^0x[0-9a-f]{40}$'),
  declared_size bigint NOT NULL CHECK (declared_size > 0),
  encrypted_metadata bytea NOT NULL CHECK (octet_length(encrypted_metadata) BETWEEN 1 AND 16384),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'receiving', 'received', 'confirmed')),
  receiving_since timestamptz,
  cid text UNIQUE,
  stored_size bigint CHECK (stored_size >= 0),
  record_id numeric(78, 0) UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  CHECK ((status IN ('received', 'confirmed')) = (cid IS NOT NULL)),
  CHECK ((status = 'confirmed') = (record_id IS NOT NULL))
);
CREATE INDEX uploads_expires_at ON uploads (expires_at) WHERE status <> 'confirmed';

-- Records the key store knows, each confirmed against the chain (record id, patient, CID digest and codec).
CREATE TABLE records (
  record_id numeric(78, 0) PRIMARY KEY CHECK (record_id >= 0),
  cid text NOT NULL UNIQUE,
  patient text NOT NULL CHECK (patient ~ '^0x[0-9a-f]{40}$'),
  uploader text NOT NULL CHECK (uploader ~ '^0x[0-9a-f]{40}$'),
  size bigint NOT NULL CHECK (size > 0),
  encrypted_metadata bytea NOT NULL CHECK (octet_length(encrypted_metadata) BETWEEN 1 AND 16384),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX records_patient ON records (patient);

-- A record's data key wrapped for one recipient: pending (tied to an upload) until the record is confirmed
-- on chain, then confirmed (tied to the record). One key per (upload, recipient) and per (record, recipient).
CREATE TABLE wrapped_keys (
  id bigserial PRIMARY KEY,
  upload_id uuid REFERENCES uploads (id) ON DELETE CASCADE,
  record_id numeric(78, 0) REFERENCES records (record_id) ON DELETE CASCADE,
  recipient text NOT NULL CHECK (recipient ~ '^0x[0-9a-f]{40}$'),
  wrapped_key bytea NOT NULL CHECK (octet_length(wrapped_key) = 81),
  status text NOT NULL CHECK (status IN ('pending', 'confirmed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (upload_id, recipient),
  UNIQUE (record_id, recipient),
  CHECK ((status = 'pending' AND upload_id IS NOT NULL AND record_id IS NULL) OR (status = 'confirmed' AND record_id IS NOT NULL))
);
CREATE INDEX wrapped_keys_recipient ON wrapped_keys (recipient);

-- A user's profile (PHI): only the encrypted blob and its data key wrapped for the user.
CREATE TABLE profiles (
  address text PRIMARY KEY CHECK (address ~ '^0x[0-9a-f]{40}$'),
  encrypted_profile bytea NOT NULL CHECK (octet_length(encrypted_profile) BETWEEN 1 AND 16384),
  wrapped_key bytea NOT NULL CHECK (octet_length(wrapped_key) = 81),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every request for a wrapped key or record content, allowed or not. Append-only: the triggers below reject
-- UPDATE, DELETE and TRUNCATE. The table's owner could still disable them; a deployment that must rule that
-- out runs the app as a role granted only INSERT and SELECT here.
CREATE TABLE key_audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL CHECK (actor ~ '^0x[0-9a-f]{40}$'),
  record_id numeric(78, 0) NOT NULL CHECK (record_id >= 0),
  action text NOT NULL CHECK (action IN ('query', 'key', 'content')),
  allowed boolean NOT NULL,
  reason text NOT NULL CHECK (reason IN ('patient', 'grant', 'forbidden', 'not_found'))
);
CREATE INDEX key_audit_record ON key_audit (record_id, at);
CREATE INDEX key_audit_actor ON key_audit (actor, at);

CREATE FUNCTION key_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'key_audit is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER key_audit_no_update_delete BEFORE UPDATE OR DELETE ON key_audit
  FOR EACH ROW EXECUTE FUNCTION key_audit_append_only();
CREATE TRIGGER key_audit_no_truncate BEFORE TRUNCATE ON key_audit
  FOR EACH STATEMENT EXECUTE FUNCTION key_audit_append_only();
