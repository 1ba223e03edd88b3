import "server-only";
import { dbQuery } from "./query";

/**
 * Stores confirmed wrapped keys of existing records for one recipient, replacing any earlier key of the same
 * (record, recipient). Returns how many rows were written.
 */
export async function upsertRecordKeys(recipient: string, keys: ReadonlyArray<{ recordId: string; wrappedKey: Uint8Array }>): Promise<number> {
  if (keys.length === 0) return 0;
  const result = await dbQuery(
    `INSERT INTO wrapped_keys (record_id, recipient, wrapped_key, status)
     SELECT record_id, $1, wrapped_key, 'confirmed' FROM unnest($2::numeric[], $3::bytea[]) AS k(record_id, wrapped_key)
     ON CONFLICT (record_id, recipient) DO UPDATE SET wrapped_key = EXCLUDED.wrapped_key, status = 'confirmed', upload_id = NULL`,
    [recipient, keys.map((k) => k.recordId), keys.map((k) => Buffer.from(k.wrappedKey))],
  );
  return result.rowCount ?? 0;
}

/**
 * `recipient`'s confirmed keys on `patient`'s records (optionally among `recordIds`), each with the version of
 * its row (PostgreSQL's xmin): a key stored again since it was read has another version.
 */
export async function recordKeyVersions(patient: string, recipient: string, recordIds?: readonly string[]): Promise<Array<{ recordId: string; version: string }>> {
  const result = await dbQuery<{ record_id: string; version: string }>(
    `SELECT k.record_id::text AS record_id, k.xmin::text AS version FROM wrapped_keys k JOIN records r ON r.record_id = k.record_id
      WHERE k.recipient = $2 AND k.status = 'confirmed' AND r.patient = $1 AND ($3::numeric[] IS NULL OR k.record_id = ANY($3::numeric[]))
      ORDER BY k.record_id`,
    [patient, recipient, recordIds ?? null],
  );
  return result.rows.map((row) => ({ recordId: row.record_id, version: row.version }));
}

/**
 * Deletes `recipient`'s confirmed keys on these records unless stored again since their version was read (a
 * grant's keys stored while a prune was deciding stay); returns how many were deleted.
 */
export async function deleteUnchangedRecordKeys(recipient: string, keys: ReadonlyArray<{ recordId: string; version: string }>): Promise<number> {
  if (keys.length === 0) return 0;
  const result = await dbQuery(
    `DELETE FROM wrapped_keys w USING unnest($2::numeric[], $3::text[]) AS k(record_id, version)
      WHERE w.recipient = $1 AND w.status = 'confirmed' AND w.record_id = k.record_id AND w.xmin::text = k.version`,
    [recipient, keys.map((k) => k.recordId), keys.map((k) => k.version)],
  );
  return result.rowCount ?? 0;
}
