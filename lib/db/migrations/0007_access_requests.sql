-- Access requests (issue 10): a doctor asks a patient for access; the patient approves (the normal grant flow,
-- on chain) or declines. Only the ask lives here: grants stay on chain, and the reason is sealed in the
-- doctor's browser (lib/crypto encryptJson under a fresh data key, that key wrapped as a sealed box for the
-- patient's on-chain key and for the doctor's own), so the server never holds it in the clear.
-- The app's role (ehr_app) gets SELECT, INSERT, UPDATE, DELETE on this table from lib/db/migrate.ts, which
-- re-applies its grants to every table after each migration run; nothing more is needed here.
CREATE TABLE access_requests (
  id uuid PRIMARY KEY,
  doctor text NOT NULL CHECK (doctor ~ '^0x[0-9a-f]{40}$'),
  patient text NOT NULL CHECK (patient ~ '^0x[0-9a-f]{40}$'),
  -- All records (including future ones), or the records of these categories (lib/records RECORD_CATEGORIES).
  all_records boolean NOT NULL,
  categories text[] NOT NULL DEFAULT '{}',
  -- Unix seconds, 0 = no expiry (as on chain).
  proposed_expiry bigint NOT NULL CHECK (proposed_expiry >= 0),
  encrypted_reason bytea NOT NULL CHECK (octet_length(encrypted_reason) BETWEEN 1 AND 16384),
  reason_key_patient bytea NOT NULL CHECK (octet_length(reason_key_patient) = 81),
  reason_key_doctor bytea NOT NULL CHECK (octet_length(reason_key_doctor) = 81),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined', 'withdrawn')),
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  CHECK (doctor <> patient),
  CHECK (all_records = (cardinality(categories) = 0)),
  CHECK ((status = 'pending') = (decided_at IS NULL))
);

-- At most one open request per doctor and patient: a second insert is a unique violation (the API's 409).
CREATE UNIQUE INDEX access_requests_one_open ON access_requests (doctor, patient) WHERE status = 'pending';
CREATE INDEX access_requests_patient ON access_requests (patient, created_at DESC);
CREATE INDEX access_requests_doctor ON access_requests (doctor, created_at DESC);
