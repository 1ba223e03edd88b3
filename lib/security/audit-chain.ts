import { createHash } from "node:crypto";
import type pg from "pg";

/*
 * The key audit's hash chain (migration 0005), recomputed independently of the trigger that writes it:
 *   row_hash = sha256(prev_hash || utf8("seq|id|at|actor|record_id|action|allowed|reason"))
 * with `at` as YYYY-MM-DDTHH:MI:SS.USZ (UTC, microseconds), allowed as t/f, and 32 zero bytes before row 1.
 */
export const GENESIS_HASH = Buffer.alloc(32);

export interface AuditChainRow {
  seq: string;
  id: string;
  at: string;
  actor: string;
  record_id: string;
  action: string;
  allowed: boolean;
  reason: string;
  prev_hash: Buffer;
  row_hash: Buffer;
}

export function auditRowHash(row: Omit<AuditChainRow, "row_hash">): Buffer {
  const fields = [row.seq, row.id, row.at, row.actor, row.record_id, row.action, row.allowed ? "t" : "f", row.reason].join("|");
  return createHash("sha256").update(row.prev_hash).update(fields, "utf8").digest();
}

export type AuditChainResult =
  | { ok: true; rows: number; head: string }
  | { ok: false; rows: number; brokenAt: { seq: string; id: string }; problem: string };

const BATCH = 5_000;

/** Walks the whole chain in seq order; stops at the first broken link and says what is wrong with it. */
export async function verifyAuditChain(db: Pick<pg.ClientBase, "query">): Promise<AuditChainResult> {
  let previous: Buffer = GENESIS_HASH;
  let expectedSeq = 1n;
  let rows = 0;
  for (;;) {
    const batch = await db.query<AuditChainRow>(
      `SELECT seq::text AS seq, id::text AS id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
              actor, record_id::text AS record_id, action, allowed, reason, prev_hash, row_hash
         FROM key_audit WHERE key_audit.seq >= $1 ORDER BY key_audit.seq LIMIT $2`,
      [expectedSeq.toString(), BATCH],
    );
    for (const row of batch.rows) {
      const brokenAt = { seq: row.seq, id: row.id };
      if (BigInt(row.seq) !== expectedSeq) return { ok: false, rows, brokenAt, problem: `row ${expectedSeq} is missing (the next row is ${row.seq})` };
      if (!row.prev_hash.equals(previous)) return { ok: false, rows, brokenAt, problem: "prev_hash is not the previous row's hash" };
      if (!auditRowHash(row).equals(row.row_hash)) return { ok: false, rows, brokenAt, problem: "row_hash does not match the row's fields" };
      previous = row.row_hash;
      expectedSeq++;
      rows++;
    }
    if (batch.rows.length < BATCH) return { ok: true, rows, head: previous.toString("hex") };
  }
}
