import "server-only";
import { dbQuery, withTransaction } from "./query";
import { isCidInUse } from "./uploads";

/** A record of the key store with everyone holding a confirmed key on it. */
export async function findRecordReaders(recordId: string): Promise<{ cid: string; patient: string; readers: string[] } | undefined> {
  const result = await dbQuery<{ cid: string; patient: string; readers: string[] | null }>(
    `SELECT r.cid, r.patient, array_agg(k.recipient ORDER BY k.recipient) FILTER (WHERE k.recipient IS NOT NULL) AS readers
       FROM records r LEFT JOIN wrapped_keys k ON k.record_id = r.record_id AND k.status = 'confirmed'
      WHERE r.record_id = $1 GROUP BY r.cid, r.patient`,
    [recordId],
  );
  const row = result.rows[0];
  return row && { cid: row.cid, patient: row.patient, readers: row.readers ?? [] };
}

/** Whether `recipient` holds a confirmed key on the record. */
export async function hasRecordKey(recordId: string, recipient: string): Promise<boolean> {
  const result = await dbQuery("SELECT 1 FROM wrapped_keys WHERE record_id = $1 AND recipient = $2 AND status = 'confirmed'", [recordId, recipient]);
  return (result.rowCount ?? 0) > 0;
}

/**
 * Forgets a superseded record in one transaction: its confirmed upload, the record row and with it every key
 * wrapped on it; `beforeCommit` (the unpin) runs before COMMIT with whether another row still holds the CID, so
 * a failed unpin rolls everything back and the record can be retired again. Undefined when no such record.
 */
export async function retireRecordRows(
  recordId: string,
  beforeCommit: (record: { cid: string; cidInUse: boolean }) => Promise<void>,
): Promise<{ cid: string; deletedKeys: number } | undefined> {
  return withTransaction(async (client) => {
    const keys = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM wrapped_keys WHERE record_id = $1", [recordId]);
    await client.query("DELETE FROM uploads WHERE record_id = $1", [recordId]);
    const deleted = await client.query<{ cid: string }>("DELETE FROM records WHERE record_id = $1 RETURNING cid", [recordId]);
    const row = deleted.rows[0];
    if (!row) return undefined;
    await beforeCommit({ cid: row.cid, cidInUse: await isCidInUse(row.cid, client) });
    return { cid: row.cid, deletedKeys: keys.rows[0]!.n };
  });
}
