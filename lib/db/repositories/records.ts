import "server-only";
import { dbQuery, type PreparedStatement } from "./query";

export interface RecordWithKey {
  recordId: string;
  cid: string;
  encryptedMetadata: Uint8Array;
  /** The data key wrapped for the asked recipient; undefined when none is stored. */
  wrappedKey: Uint8Array | undefined;
}

// Every key request and records query runs it: prepared (lib/db/repositories/query.ts).
const RECORDS_WITH_KEY: PreparedStatement = {
  name: "records-with-key",
  text: `SELECT r.record_id::text AS record_id, r.cid, r.encrypted_metadata, k.wrapped_key
           FROM records r
           LEFT JOIN wrapped_keys k ON k.record_id = r.record_id AND k.recipient = $2 AND k.status = 'confirmed'
          WHERE r.record_id = ANY($1::numeric[])`,
};

/** Confirmed records among `recordIds`, each with the key wrapped for `recipient` if there is one. */
export async function findRecordsWithKey(recordIds: readonly string[], recipient: string): Promise<Map<string, RecordWithKey>> {
  const result = await dbQuery<{ record_id: string; cid: string; encrypted_metadata: Buffer; wrapped_key: Buffer | null }>(RECORDS_WITH_KEY, [recordIds, recipient]);
  return new Map(
    result.rows.map((row) => [
      row.record_id,
      { recordId: row.record_id, cid: row.cid, encryptedMetadata: row.encrypted_metadata, wrappedKey: row.wrapped_key ?? undefined },
    ]),
  );
}

export async function findRecordContent(recordId: string): Promise<{ cid: string; size: number } | undefined> {
  const result = await dbQuery<{ cid: string; size: number }>("SELECT cid, size FROM records WHERE record_id = $1", [recordId]);
  return result.rows[0];
}

/** Which of `recordIds` the key store holds as records of `patient` (decimal ids). */
export async function findPatientRecordIds(patient: string, recordIds: readonly string[]): Promise<Set<string>> {
  const result = await dbQuery<{ record_id: string }>(
    "SELECT record_id::text AS record_id FROM records WHERE patient = $1 AND record_id = ANY($2::numeric[])",
    [patient, recordIds],
  );
  return new Set(result.rows.map((row) => row.record_id));
}
