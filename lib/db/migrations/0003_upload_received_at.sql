-- When an upload's content arrived. A received upload's content is pinned and its record may already be on
-- chain while the browser's confirm is slow or retried, so the clean-up keeps it for 24 h after this moment
-- whatever its expires_at says (lib/db/repositories/uploads.ts deleteExpiredUploads).
ALTER TABLE uploads ADD COLUMN received_at timestamptz;
UPDATE uploads SET received_at = now() WHERE status IN ('received', 'confirmed');
ALTER TABLE uploads ADD CONSTRAINT uploads_received_at CHECK ((status IN ('received', 'confirmed')) = (received_at IS NOT NULL));
