import "server-only";
import { dbQuery } from "./query";

export type AuditAction = "query" | "key" | "content";
/** Why a request was allowed (patient, grant) or refused; "forbidden" only in rows written before migration 0004. */
export type AuditReason = "patient" | "grant" | "forbidden" | "not_found" | "inactive" | "no_grant" | "expired" | "no_access_log";

export interface AuditEntry {
  actor: string;
  recordId: string;
  action: AuditAction;
  allowed: boolean;
  reason: AuditReason;
}

/** Appends entries to the append-only key audit (one statement, however many entries). */
export async function appendAudit(entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await dbQuery(
    `INSERT INTO key_audit (actor, record_id, action, allowed, reason)
     SELECT * FROM unnest($1::text[], $2::numeric[], $3::text[], $4::boolean[], $5::text[])`,
    [entries.map((e) => e.actor), entries.map((e) => e.recordId), entries.map((e) => e.action), entries.map((e) => e.allowed), entries.map((e) => e.reason)],
  );
}

export interface AuditRow extends AuditEntry {
  at: Date;
}

/** The newest `limit` audit rows on record ids in [from, to) (one patient's records), newest first. */
export async function auditRowsForRecords(range: { from: bigint; to: bigint }, limit: number): Promise<AuditRow[]> {
  const result = await dbQuery<{ at: Date; actor: string; record_id: string; action: AuditAction; allowed: boolean; reason: AuditReason }>(
    `SELECT at, actor, record_id::text AS record_id, action, allowed, reason FROM key_audit
      WHERE record_id >= $1::numeric AND record_id < $2::numeric ORDER BY at DESC, id DESC LIMIT $3`,
    [range.from.toString(), range.to.toString(), limit],
  );
  return result.rows.map((row) => ({ at: row.at, actor: row.actor, recordId: row.record_id, action: row.action, allowed: row.allowed, reason: row.reason }));
}
