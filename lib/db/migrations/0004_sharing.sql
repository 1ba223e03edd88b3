-- Sharing across three roles (issue 7).

-- The salt of each doctor's licence hash: the chain holds sha256(salt || licence number) in DoctorContract,
-- this table the salt, so an administrator can verify a licence number later. Written by an administrator
-- before registerDoctor is signed; upserted (a retried registration may pick a new salt).
CREATE TABLE doctor_licence_salts (
  address text PRIMARY KEY CHECK (address ~ '^0x[0-9a-f]{40}$'),
  salt bytea NOT NULL CHECK (octet_length(salt) = 32),
  set_by text NOT NULL CHECK (set_by ~ '^0x[0-9a-f]{40}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A doctor's key request is refused for a reason the patient can read in their audit: the doctor is
-- deactivated, holds no grant (or the record is unknown), the grant expired by the server's clock, or no
-- recent RecordAccessed event logs the opening on chain. The earlier reasons stay valid for existing rows.
ALTER TABLE key_audit DROP CONSTRAINT key_audit_reason_check;
ALTER TABLE key_audit ADD CONSTRAINT key_audit_reason_check
  CHECK (reason IN ('patient', 'grant', 'forbidden', 'not_found', 'inactive', 'no_grant', 'expired', 'no_access_log'));

