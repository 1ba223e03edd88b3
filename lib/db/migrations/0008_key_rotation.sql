-- Key rotation (issue 10). A user's data keys re-wrapped in their browser for a new key pair wait here, staged
-- under the new public key, while the chain still shows the old key. Only once the chain shows the new key does
-- the server swap them into wrapped_keys (and the profile, and the users row) in one transaction
-- (lib/rotation/server/complete-rotation.ts). One open rotation per address; a completed one is deleted.
-- The app's role gets DML on both tables from migrate.ts (APP_ROLE_GRANTS are re-applied after every run).
CREATE TABLE key_rotations (
  address text PRIMARY KEY CHECK (address ~ '^0x[0-9a-f]{40}$'),
  old_public_key bytea NOT NULL CHECK (octet_length(old_public_key) = 32),
  new_public_key bytea NOT NULL CHECK (octet_length(new_public_key) = 32),
  -- The profile's data key re-wrapped for the new key (NULL when the user has no profile).
  profile_wrapped_key bytea CHECK (octet_length(profile_wrapped_key) = 81),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (old_public_key <> new_public_key)
);

-- One staged key per wrapped_keys row of the rotating recipient; it goes when that row goes.
CREATE TABLE key_rotation_keys (
  address text NOT NULL REFERENCES key_rotations (address) ON DELETE CASCADE,
  wrapped_key_id bigint NOT NULL REFERENCES wrapped_keys (id) ON DELETE CASCADE,
  wrapped_key bytea NOT NULL CHECK (octet_length(wrapped_key) = 81),
  PRIMARY KEY (address, wrapped_key_id)
);
CREATE INDEX key_rotation_keys_wrapped_key ON key_rotation_keys (wrapped_key_id);

-- Other material sealed for the rotating user's key with a lib/crypto wrapped key (81 bytes) in front: the
-- emergency scope (emergency_configs.sealed_scope, for the patient), emergency notes (emergency_notes.sealed_note,
-- per recipient) and access request reasons (access_requests.reason_key_patient / reason_key_doctor). Only that
-- wrapped key is re-wrapped and swapped; the ciphertext behind it (and the note hash on chain) stays as it is.
-- `ref` names the row: the key version, the request id, or the access request id.
CREATE TABLE key_rotation_sealed (
  address text NOT NULL REFERENCES key_rotations (address) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('emergency_scope', 'emergency_note', 'request_reason_patient', 'request_reason_doctor')),
  ref text NOT NULL CHECK (length(ref) BETWEEN 1 AND 80),
  wrapped_key bytea NOT NULL CHECK (octet_length(wrapped_key) = 81),
  PRIMARY KEY (address, kind, ref)
);
