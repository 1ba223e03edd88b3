-- The per-patient caps (pending uploads, stored bytes) count a patient's uploads under a lock on every new
-- upload: an index keeps that a lookup instead of a scan of every patient's uploads.
CREATE INDEX uploads_patient ON uploads (patient, status);
