import "server-only";
import { dbQuery, withTransaction } from "./query";

export type UploadStatus = "pending" | "receiving" | "received" | "confirmed";

export interface UploadRow {
  id: string;
  uploader: `0x${string}`;
  patient: `0x${string}`;
  declaredSize: number;
  status: UploadStatus;
  cid: string | null;
  storedSize: number | null;
  recordId: string | null;
  expiresAt: Date;
}

interface DbUpload {
  id: string;
  uploader: `0x${string}`;
  patient: `0x${string}`;
  declared_size: number;
  status: UploadStatus;
  cid: string | null;
  stored_size: number | null;
  record_id: string | null;
  expires_at: Date;
}

const COLUMNS = "id, uploader, patient, declared_size, status, cid, stored_size, record_id::text AS record_id, expires_at";

function reshape(row: DbUpload): UploadRow {
  return {
    id: row.id,
    uploader: row.uploader,
    patient: row.patient,
    declaredSize: row.declared_size,
    status: row.status,
    cid: row.cid,
    storedSize: row.stored_size,
    recordId: row.record_id,
    expiresAt: row.expires_at,
  };
}

export interface NewUpload {
  id: string;
  uploader: string;
  patient: string;
  declaredSize: number;
  encryptedMetadata: Uint8Array;
  wrappedKeys: ReadonlyArray<{ recipient: string; wrappedKey: Uint8Array }>;
  ttlMs: number;
}

/** The upload and its pending wrapped keys, in one transaction. */
export async function insertUpload(upload: NewUpload): Promise<UploadRow> {
  return withTransaction(async (client) => {
    const result = await client.query<DbUpload>(
      `INSERT INTO uploads (id, uploader, patient, declared_size, encrypted_metadata, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond') RETURNING ${COLUMNS}`,
      [upload.id, upload.uploader, upload.patient, upload.declaredSize, Buffer.from(upload.encryptedMetadata), upload.ttlMs],
    );
    await client.query(
      `INSERT INTO wrapped_keys (upload_id, recipient, wrapped_key, status)
       SELECT $1, recipient, wrapped_key, 'pending' FROM unnest($2::text[], $3::bytea[]) AS k(recipient, wrapped_key)`,
      [upload.id, upload.wrappedKeys.map((k) => k.recipient), upload.wrappedKeys.map((k) => Buffer.from(k.wrappedKey))],
    );
    return reshape(result.rows[0]!);
  });
}

/** The upload, unless it expired before being confirmed. */
export async function findUpload(id: string): Promise<UploadRow | undefined> {
  const result = await dbQuery<DbUpload>(
    `SELECT ${COLUMNS} FROM uploads WHERE id = $1 AND (status = 'confirmed' OR expires_at > now())`,
    [id],
  );
  return result.rows[0] && reshape(result.rows[0]);
}

/** Claims the upload for one content PUT: only from `pending` (or a `receiving` left by a crashed request). */
export async function claimForReceiving(id: string, staleAfterMs: number): Promise<boolean> {
  const result = await dbQuery(
    `UPDATE uploads SET status = 'receiving', receiving_since = now()
     WHERE id = $1 AND expires_at > now()
       AND (status = 'pending' OR (status = 'receiving' AND receiving_since < now() - $2 * interval '1 millisecond'))`,
    [id, staleAfterMs],
  );
  return result.rowCount === 1;
}

/** Back to `pending` after a failed content PUT. */
export async function releaseReceiving(id: string): Promise<void> {
  await dbQuery("UPDATE uploads SET status = 'pending', receiving_since = NULL WHERE id = $1 AND status = 'receiving'", [id]);
}

/** Records the pinned CID. False when another upload already holds this CID (same ciphertext). */
export async function markReceived(id: string, cid: string, size: number): Promise<boolean> {
  const result = await dbQuery(
    `UPDATE uploads SET status = 'received', cid = $2, stored_size = $3, receiving_since = NULL
     WHERE id = $1 AND status = 'receiving'
       AND NOT EXISTS (SELECT 1 FROM uploads WHERE cid = $2) AND NOT EXISTS (SELECT 1 FROM records WHERE cid = $2)`,
    [id, cid, size],
  ).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === "23505") return { rowCount: 0 };
    throw error;
  });
  return result.rowCount === 1;
}

/**
 * Confirms a received upload as record `recordId`: the record row, its wrapped keys confirmed, the upload
 * marked. Returns false if the upload was not in `received` state any more.
 */
export async function confirmUploadAsRecord(id: string, recordId: string): Promise<boolean> {
  return withTransaction(async (client) => {
    const upload = await client.query<{ cid: string; patient: string; uploader: string; stored_size: number; encrypted_metadata: Buffer }>(
      "SELECT cid, patient, uploader, stored_size, encrypted_metadata FROM uploads WHERE id = $1 AND status = 'received' FOR UPDATE",
      [id],
    );
    const row = upload.rows[0];
    if (!row) return false;
    await client.query(
      "INSERT INTO records (record_id, cid, patient, uploader, size, encrypted_metadata) VALUES ($1, $2, $3, $4, $5, $6)",
      [recordId, row.cid, row.patient, row.uploader, row.stored_size, row.encrypted_metadata],
    );
    await client.query("UPDATE wrapped_keys SET record_id = $2, upload_id = NULL, status = 'confirmed' WHERE upload_id = $1", [id, recordId]);
    await client.query("UPDATE uploads SET status = 'confirmed', record_id = $2 WHERE id = $1", [id, recordId]);
    return true;
  });
}

/** Deletes an unconfirmed upload and its pending keys; returns its CID (to unpin) when it had one. */
export async function deleteUnconfirmedUpload(id: string): Promise<{ deleted: boolean; cid: string | null }> {
  const result = await dbQuery<{ cid: string | null }>("DELETE FROM uploads WHERE id = $1 AND status <> 'confirmed' RETURNING cid", [id]);
  const row = result.rows[0];
  return { deleted: row !== undefined, cid: row?.cid ?? null };
}

/** Deletes up to `limit` expired unconfirmed uploads (skipping rows another instance is deleting); returns their CIDs. */
export async function deleteExpiredUploads(limit: number): Promise<string[]> {
  const result = await dbQuery<{ cid: string | null }>(
    `DELETE FROM uploads WHERE id IN (
       SELECT id FROM uploads WHERE status <> 'confirmed' AND expires_at < now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
     ) RETURNING cid`,
    [limit],
  );
  return result.rows.flatMap((row) => (row.cid ? [row.cid] : []));
}

/** Whether an upload or a record holds this CID (then its pin must stay). */
export async function isCidInUse(cid: string): Promise<boolean> {
  const result = await dbQuery<{ used: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM uploads WHERE cid = $1) OR EXISTS (SELECT 1 FROM records WHERE cid = $1) AS used",
    [cid],
  );
  return result.rows[0]?.used ?? false;
}
