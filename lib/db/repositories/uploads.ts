import "server-only";
import { dbQuery, withTransaction, type Queryable } from "./query";

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

/**
 * The upload and its pending wrapped keys, in one transaction. `beforeInsert` runs first inside it (the
 * per-patient caps: it may lock and count, and throw to insert nothing).
 */
export async function insertUpload(upload: NewUpload, beforeInsert?: (client: Queryable) => Promise<void>): Promise<UploadRow> {
  return withTransaction(async (client) => {
    await beforeInsert?.(client);
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

/**
 * What is held for a patient now: unconfirmed uploads that still count (pending or receiving ones until they
 * expire, received ones until the clean-up drops them), and the encrypted bytes of the patient's records plus
 * those uploads' declared sizes. Inside a transaction, the advisory lock on the patient makes concurrent
 * starts count one after another (released at COMMIT or ROLLBACK).
 */
export async function lockedPatientUploadUsage(patient: string, db: Queryable): Promise<{ pending: number; storedBytes: number }> {
  await dbQuery("SELECT pg_advisory_xact_lock(hashtextextended('uploads:' || $1, 0))", [patient], db);
  const result = await dbQuery<{ pending: string; stored: string }>(
    `WITH live AS (
       SELECT declared_size FROM uploads
        WHERE patient = $1 AND status <> 'confirmed' AND (status IN ('receiving', 'received') OR expires_at > now())
     )
     SELECT (SELECT count(*) FROM live)::text AS pending,
            ((SELECT coalesce(sum(declared_size), 0) FROM live) + (SELECT coalesce(sum(size), 0) FROM records WHERE patient = $1))::text AS stored`,
    [patient],
    db,
  );
  const row = result.rows[0]!;
  return { pending: Number(row.pending), storedBytes: Number(row.stored) };
}

/**
 * The upload, unless it expired before its content was received. A received upload stays usable after
 * expires_at for as long as its row exists: its record may already be on chain, waiting for a slow or
 * retried confirm (the clean-up keeps it RECEIVED_TTL_MS after its content arrived).
 */
export async function findUpload(id: string): Promise<UploadRow | undefined> {
  const result = await dbQuery<DbUpload>(
    `SELECT ${COLUMNS} FROM uploads WHERE id = $1 AND (status IN ('received', 'confirmed') OR expires_at > now())`,
    [id],
  );
  return result.rows[0] && reshape(result.rows[0]);
}

/** Whether a row exists for this upload at all (expired or not). */
export async function uploadExists(id: string): Promise<boolean> {
  const result = await dbQuery("SELECT 1 FROM uploads WHERE id = $1", [id]);
  return result.rowCount === 1;
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

/**
 * Records the pinned CID and gives the upload `ttlMs` from now for its confirm. False when the upload is no
 * longer being received (cancelled or expired meanwhile) or another upload already holds this CID.
 */
export async function markReceived(id: string, cid: string, size: number, ttlMs: number): Promise<boolean> {
  const result = await dbQuery(
    `UPDATE uploads SET status = 'received', cid = $2, stored_size = $3, receiving_since = NULL,
            received_at = now(), expires_at = now() + $4 * interval '1 millisecond'
     WHERE id = $1 AND status = 'receiving'
       AND NOT EXISTS (SELECT 1 FROM uploads WHERE cid = $2) AND NOT EXISTS (SELECT 1 FROM records WHERE cid = $2)`,
    [id, cid, size, ttlMs],
  ).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === "23505") return { rowCount: 0 };
    throw error;
  });
  return result.rowCount === 1;
}

export type ConfirmOutcome =
  | { outcome: "confirmed"; cid: string }
  | { outcome: "confirmed_as_other"; recordId: string }
  | { outcome: "not_received" };

/**
 * Confirms a received upload as record `recordId`: the record row, its wrapped keys confirmed, the upload
 * marked. The row is locked first, so of two concurrent confirms the second sees the first's result: the
 * same record id answers "confirmed" again (idempotent), another one "confirmed_as_other".
 */
export async function confirmUploadAsRecord(id: string, recordId: string): Promise<ConfirmOutcome> {
  return withTransaction(async (client) => {
    const upload = await client.query<{ status: UploadStatus; record_id: string | null; cid: string | null; patient: string; uploader: string; stored_size: number; encrypted_metadata: Buffer }>(
      "SELECT status, record_id::text AS record_id, cid, patient, uploader, stored_size, encrypted_metadata FROM uploads WHERE id = $1 FOR UPDATE",
      [id],
    );
    const row = upload.rows[0];
    if (row?.status === "confirmed" && row.cid && row.record_id !== null) {
      return BigInt(row.record_id) === BigInt(recordId) ? { outcome: "confirmed", cid: row.cid } : { outcome: "confirmed_as_other", recordId: row.record_id };
    }
    if (row?.status !== "received" || !row.cid) return { outcome: "not_received" };
    await client.query(
      "INSERT INTO records (record_id, cid, patient, uploader, size, encrypted_metadata) VALUES ($1, $2, $3, $4, $5, $6)",
      [recordId, row.cid, row.patient, row.uploader, row.stored_size, row.encrypted_metadata],
    );
    await client.query("UPDATE wrapped_keys SET record_id = $2, upload_id = NULL, status = 'confirmed' WHERE upload_id = $1", [id, recordId]);
    await client.query("UPDATE uploads SET status = 'confirmed', record_id = $2 WHERE id = $1", [id, recordId]);
    return { outcome: "confirmed", cid: row.cid };
  });
}

/**
 * Which unconfirmed uploads the clean-up drops: pending or receiving ones once expired; received ones only
 * once expired AND `$receivedGrace` ms after their content arrived. markReceived already moves expires_at
 * that far ahead; the received_at condition keeps the guarantee even if expires_at says otherwise.
 */
const EXPIRED = (graceParam: string) =>
  `status <> 'confirmed' AND expires_at < now()
   AND (status <> 'received' OR received_at < now() - ${graceParam} * interval '1 millisecond')`;

/** Up to `limit` expired unconfirmed uploads, oldest first (skipping rows another instance is deleting). */
export async function findExpiredUploadIds(limit: number, receivedGraceMs: number): Promise<string[]> {
  const result = await dbQuery<{ id: string }>(
    `SELECT id FROM uploads WHERE ${EXPIRED("$2")} ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit, receivedGraceMs],
  );
  return result.rows.map((row) => row.id);
}

/**
 * Deletes an unconfirmed upload (its pending keys go with it) in one transaction, and runs `beforeCommit`
 * (the unpin) inside it, after the DELETE and before COMMIT. If the unpin fails the transaction rolls back
 * and the row stays, so the clean-up or another cancel tries again: a pin is never left without a row. The
 * DELETE holds the row lock meanwhile, so a concurrent confirm waits and then finds the upload gone.
 * `cidInUse` says whether another upload or a record still holds the same CID (then it must stay pinned).
 * `expiredOnly` deletes only if the row is (still) expired as the clean-up defines it. False when no row
 * was deleted.
 */
export async function deleteUnconfirmedUpload(
  id: string,
  options: { expiredOnly?: { receivedGraceMs: number } },
  beforeCommit: (upload: { cid: string | null; cidInUse: boolean }) => Promise<void>,
): Promise<boolean> {
  return withTransaction(async (client) => {
    const deleted = options.expiredOnly
      ? await client.query<{ cid: string | null }>(`DELETE FROM uploads WHERE id = $1 AND ${EXPIRED("$2")} RETURNING cid`, [id, options.expiredOnly.receivedGraceMs])
      : await client.query<{ cid: string | null }>("DELETE FROM uploads WHERE id = $1 AND status <> 'confirmed' RETURNING cid", [id]);
    const row = deleted.rows[0];
    if (!row) return false;
    const cidInUse = row.cid ? await isCidInUse(row.cid, client) : false;
    await beforeCommit({ cid: row.cid, cidInUse });
    return true;
  });
}

/** Whether an upload or a record holds this CID (then its pin must stay). */
export async function isCidInUse(cid: string, db?: Queryable): Promise<boolean> {
  const result = await dbQuery<{ used: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM uploads WHERE cid = $1) OR EXISTS (SELECT 1 FROM records WHERE cid = $1) AS used",
    [cid],
    db,
  );
  return result.rows[0]?.used ?? false;
}
