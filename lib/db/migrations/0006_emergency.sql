-- Emergency access (break-glass, issue 10). The chain (DoctorContract) holds the patient's emergency public key
-- and its version, the requests, approvals and the window; these tables hold only sealed material that is
-- useless without private keys the server never sees.

-- The patient's opt-in as the server keeps it: which key version the stored material is for, and the scope
-- (all records or chosen categories) sealed for the patient's own key (the server never sees it in the clear).
-- Written before setEmergencyKey is signed (version = the chain's next version); the chain decides which
-- version is live.
CREATE TABLE emergency_configs (
  patient text NOT NULL CHECK (patient ~ '^0x[0-9a-f]{40}$'),
  key_version integer NOT NULL CHECK (key_version > 0),
  public_key bytea NOT NULL CHECK (octet_length(public_key) = 32),
  sealed_scope bytea NOT NULL CHECK (octet_length(sealed_scope) BETWEEN 1 AND 4096),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (patient, key_version)
);

-- One Shamir share of the emergency private key per administrator, sealed for that administrator's on-chain
-- key. The server serves an administrator only their own row.
CREATE TABLE emergency_shares (
  patient text NOT NULL CHECK (patient ~ '^0x[0-9a-f]{40}$'),
  key_version integer NOT NULL CHECK (key_version > 0),
  admin text NOT NULL CHECK (admin ~ '^0x[0-9a-f]{40}$'),
  sealed_share bytea NOT NULL CHECK (octet_length(sealed_share) BETWEEN 1 AND 512),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (patient, key_version, admin),
  FOREIGN KEY (patient, key_version) REFERENCES emergency_configs (patient, key_version) ON DELETE CASCADE
);

-- Data keys of the records in scope, wrapped for the emergency public key of one version.
CREATE TABLE emergency_wrapped_keys (
  record_id numeric(78, 0) NOT NULL REFERENCES records (record_id) ON DELETE CASCADE,
  patient text NOT NULL CHECK (patient ~ '^0x[0-9a-f]{40}$'),
  key_version integer NOT NULL CHECK (key_version > 0),
  wrapped_key bytea NOT NULL CHECK (octet_length(wrapped_key) = 81),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (record_id, key_version),
  FOREIGN KEY (patient, key_version) REFERENCES emergency_configs (patient, key_version) ON DELETE CASCADE
);
CREATE INDEX emergency_wrapped_keys_patient ON emergency_wrapped_keys (patient, key_version);

-- An approving administrator's share, opened in their browser and re-sealed for the requesting doctor's
-- on-chain key; stored before approveEmergencyAccess. Served to the doctor only for approvals the chain has.
CREATE TABLE emergency_released_shares (
  request_id numeric(78, 0) NOT NULL CHECK (request_id > 0),
  admin text NOT NULL CHECK (admin ~ '^0x[0-9a-f]{40}$'),
  sealed_for_doctor bytea NOT NULL CHECK (octet_length(sealed_for_doctor) BETWEEN 1 AND 512),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (request_id, admin)
);

-- The doctor's optional free-text note, sealed for the patient and for each administrator; the chain holds
-- sha256 of its ciphertext (the part after the wrapped note key), which the server checks on insert.
CREATE TABLE emergency_notes (
  request_id numeric(78, 0) NOT NULL CHECK (request_id > 0),
  recipient text NOT NULL CHECK (recipient ~ '^0x[0-9a-f]{40}$'),
  sealed_note bytea NOT NULL CHECK (octet_length(sealed_note) BETWEEN 82 AND 8192),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (request_id, recipient)
);

-- A key release under emergency access is audited as "emergency"; its refusals use the existing reasons
-- (inactive, no_grant = no live emergency access, expired = the window ended, no_access_log).
ALTER TABLE key_audit DROP CONSTRAINT key_audit_reason_check;
ALTER TABLE key_audit ADD CONSTRAINT key_audit_reason_check
  CHECK (reason IN ('patient', 'grant', 'forbidden', 'not_found', 'inactive', 'no_grant', 'expired', 'no_access_log', 'emergency'));
