-- Wallet identities and their X25519 encryption public keys.
-- The chain anchors each key; this table is the fast lookup the browser is handed, checked against the chain.
CREATE TABLE users (
  address text PRIMARY KEY CHECK (address ~ '^0x[0-9a-f]{40}$'),
  encryption_public_key bytea NOT NULL CHECK (octet_length(encryption_public_key) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
