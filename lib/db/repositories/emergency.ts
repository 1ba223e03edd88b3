import "server-only";
import { dbQuery, withTransaction } from "./query";

/*
 * Emergency access (migration 0006): the patient's stored opt-in per key version, administrators' sealed
 * shares, data keys wrapped for the emergency key, shares released to a doctor and sealed notes. Everything
 * here is sealed; the chain decides which key version and which approvals count.
 */

export interface EnrolmentRow {
  keyVersion: number;
  publicKey: Uint8Array;
  sealedScope: Uint8Array;
}

/** Stores (or replaces, for a retried opt-in) the opt-in of one key version with one share per administrator. */
export async function putEnrolment(
  patient: string,
  enrolment: EnrolmentRow,
  shares: ReadonlyArray<{ admin: string; sealedShare: Uint8Array }>,
): Promise<void> {
  await withTransaction(async (client) => {
    // A retry of the same version starts over: its earlier shares and keys go with the row.
    await dbQuery("DELETE FROM emergency_configs WHERE patient = $1 AND key_version = $2", [patient, enrolment.keyVersion], client);
    await dbQuery("INSERT INTO emergency_configs (patient, key_version, public_key, sealed_scope) VALUES ($1, $2, $3, $4)", [
      patient,
      enrolment.keyVersion,
      Buffer.from(enrolment.publicKey),
      Buffer.from(enrolment.sealedScope),
    ], client);
    await dbQuery(
      `INSERT INTO emergency_shares (patient, key_version, admin, sealed_share)
       SELECT $1, $2, admin, share FROM unnest($3::text[], $4::bytea[]) AS s(admin, share)`,
      [patient, enrolment.keyVersion, shares.map((share) => share.admin), shares.map((share) => Buffer.from(share.sealedShare))],
      client,
    );
  });
}

export async function findEnrolment(patient: string, keyVersion: number): Promise<(EnrolmentRow & { records: number }) | undefined> {
  const result = await dbQuery<{ public_key: Buffer; sealed_scope: Buffer; records: string }>(
    `SELECT c.public_key, c.sealed_scope, (SELECT count(*) FROM emergency_wrapped_keys k WHERE k.patient = c.patient AND k.key_version = c.key_version) AS records
       FROM emergency_configs c WHERE c.patient = $1 AND c.key_version = $2`,
    [patient, keyVersion],
  );
  const row = result.rows[0];
  return row && { keyVersion, publicKey: row.public_key, sealedScope: row.sealed_scope, records: Number(row.records) };
}

/** Stores data keys wrapped for the emergency key of `keyVersion` (replacing a record's earlier one). */
export async function upsertEmergencyKeys(patient: string, keyVersion: number, keys: ReadonlyArray<{ recordId: string; wrappedKey: Uint8Array }>): Promise<number> {
  if (keys.length === 0) return 0;
  const result = await dbQuery(
    `INSERT INTO emergency_wrapped_keys (record_id, patient, key_version, wrapped_key)
     SELECT record_id, $1, $2, wrapped_key FROM unnest($3::numeric[], $4::bytea[]) AS k(record_id, wrapped_key)
     ON CONFLICT (record_id, key_version) DO UPDATE SET wrapped_key = EXCLUDED.wrapped_key`,
    [patient, keyVersion, keys.map((key) => key.recordId), keys.map((key) => Buffer.from(key.wrappedKey))],
  );
  return result.rowCount ?? 0;
}

/** Record ids (decimal) whose data key is wrapped for `patient`'s emergency key of `keyVersion`. */
export async function emergencyRecordIds(patient: string, keyVersion: number): Promise<string[]> {
  const result = await dbQuery<{ record_id: string }>(
    "SELECT record_id::text AS record_id FROM emergency_wrapped_keys WHERE patient = $1 AND key_version = $2 ORDER BY emergency_wrapped_keys.record_id",
    [patient, keyVersion],
  );
  return result.rows.map((row) => row.record_id);
}

/**
 * Newest first, at most `limit`: the patient's records someone else (a doctor) added that have no key for the
 * emergency key of `keyVersion`. The doctor cannot tell whether they are in the patient's sealed scope; the
 * patient's browser can, and wraps those that are. The patient's own uploads are wrapped as they are made.
 */
export async function recordsAddedByOthersWithoutEmergencyKey(patient: string, keyVersion: number, limit: number): Promise<string[]> {
  const result = await dbQuery<{ record_id: string }>(
    `SELECT r.record_id::text AS record_id FROM records r
      WHERE r.patient = $1 AND r.uploader <> r.patient
        AND NOT EXISTS (SELECT 1 FROM emergency_wrapped_keys k WHERE k.record_id = r.record_id AND k.key_version = $2)
      ORDER BY r.record_id DESC LIMIT $3`,
    [patient, keyVersion, limit],
  );
  return result.rows.map((row) => row.record_id);
}

/** One record with its data key wrapped for the emergency key of `keyVersion`. */
export async function findEmergencyRecord(recordId: string, keyVersion: number): Promise<{ cid: string; size: number; encryptedMetadata: Uint8Array; wrappedKey: Uint8Array } | undefined> {
  const result = await dbQuery<{ cid: string; size: string; encrypted_metadata: Buffer; wrapped_key: Buffer }>(
    `SELECT r.cid, r.size, r.encrypted_metadata, k.wrapped_key FROM records r
       JOIN emergency_wrapped_keys k ON k.record_id = r.record_id AND k.key_version = $2
      WHERE r.record_id = $1`,
    [recordId, keyVersion],
  );
  const row = result.rows[0];
  return row && { cid: row.cid, size: Number(row.size), encryptedMetadata: row.encrypted_metadata, wrappedKey: row.wrapped_key };
}

/** An administrator's own sealed shares for these (patient, key version) pairs, keyed "patient:version". */
export async function findSharesOfAdmin(admin: string, pairs: ReadonlyArray<{ patient: string; keyVersion: number }>): Promise<Map<string, Uint8Array>> {
  if (pairs.length === 0) return new Map();
  const result = await dbQuery<{ patient: string; key_version: number; sealed_share: Buffer }>(
    `SELECT s.patient, s.key_version, s.sealed_share FROM emergency_shares s
       JOIN unnest($2::text[], $3::int[]) AS p(patient, key_version) ON p.patient = s.patient AND p.key_version = s.key_version
      WHERE s.admin = $1`,
    [admin, pairs.map((pair) => pair.patient), pairs.map((pair) => pair.keyVersion)],
  );
  return new Map(result.rows.map((row) => [`${row.patient}:${row.key_version}`, row.sealed_share]));
}

/** The administrators holding a share of `patient`'s emergency key `keyVersion` (lower case, sorted). */
export async function shareHolders(patient: string, keyVersion: number): Promise<string[]> {
  const result = await dbQuery<{ admin: string }>("SELECT admin FROM emergency_shares WHERE patient = $1 AND key_version = $2 ORDER BY admin", [patient, keyVersion]);
  return result.rows.map((row) => row.admin);
}

export async function hasShare(admin: string, patient: string, keyVersion: number): Promise<boolean> {
  const result = await dbQuery("SELECT 1 FROM emergency_shares WHERE admin = $1 AND patient = $2 AND key_version = $3", [admin, patient, keyVersion]);
  return (result.rowCount ?? 0) > 0;
}

export async function putReleasedShare(requestId: bigint, admin: string, sealedForDoctor: Uint8Array): Promise<void> {
  await dbQuery(
    `INSERT INTO emergency_released_shares (request_id, admin, sealed_for_doctor) VALUES ($1, $2, $3)
     ON CONFLICT (request_id, admin) DO UPDATE SET sealed_for_doctor = EXCLUDED.sealed_for_doctor, created_at = now()`,
    [requestId.toString(), admin, Buffer.from(sealedForDoctor)],
  );
}

export async function deleteReleasedShare(requestId: bigint, admin: string): Promise<number> {
  const result = await dbQuery("DELETE FROM emergency_released_shares WHERE request_id = $1 AND admin = $2", [requestId.toString(), admin]);
  return result.rowCount ?? 0;
}

export async function findReleasedShares(requestId: bigint): Promise<{ admin: string; sealedShare: Uint8Array }[]> {
  const result = await dbQuery<{ admin: string; sealed_for_doctor: Buffer }>(
    "SELECT admin, sealed_for_doctor FROM emergency_released_shares WHERE request_id = $1 ORDER BY created_at",
    [requestId.toString()],
  );
  return result.rows.map((row) => ({ admin: row.admin, sealedShare: row.sealed_for_doctor }));
}

/** Stores a request's sealed notes (once: a request's notes are never replaced). Returns how many were new. */
export async function putNotes(requestId: bigint, notes: ReadonlyArray<{ recipient: string; sealedNote: Uint8Array }>): Promise<number> {
  const result = await dbQuery(
    `INSERT INTO emergency_notes (request_id, recipient, sealed_note)
     SELECT $1, recipient, note FROM unnest($2::text[], $3::bytea[]) AS n(recipient, note)
     ON CONFLICT (request_id, recipient) DO NOTHING`,
    [requestId.toString(), notes.map((note) => note.recipient), notes.map((note) => Buffer.from(note.sealedNote))],
  );
  return result.rowCount ?? 0;
}

/** `recipient`'s sealed notes on these requests, keyed by request id (decimal). */
export async function findNotes(recipient: string, requestIds: readonly bigint[]): Promise<Map<string, Uint8Array>> {
  if (requestIds.length === 0) return new Map();
  const result = await dbQuery<{ request_id: string; sealed_note: Buffer }>(
    "SELECT request_id::text AS request_id, sealed_note FROM emergency_notes WHERE recipient = $1 AND request_id = ANY($2::numeric[])",
    [recipient, requestIds.map(String)],
  );
  return new Map(result.rows.map((row) => [row.request_id, row.sealed_note]));
}
