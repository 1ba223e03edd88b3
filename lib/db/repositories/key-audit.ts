import "server-only";
import { dbQuery } from "./query";

export type AuditAction = "query" | "key" | "content";
export type AuditReason = "patient" | "grant" | "forbidden" | "not_found";

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
