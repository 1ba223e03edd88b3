import "server-only";
import { dbQuery } from "./query";

/** Why an emergency key request was decided: released ("emergency") or one of the key store's refusals. */
export type EmergencyAuditReason = "emergency" | "inactive" | "no_grant" | "expired" | "no_access_log" | "not_found";

/** Appends one row to the append-only key audit for an emergency key or content request. */
export async function appendEmergencyAudit(entry: { actor: string; recordId: string; action: "key" | "content"; allowed: boolean; reason: EmergencyAuditReason }): Promise<void> {
  await dbQuery("INSERT INTO key_audit (actor, record_id, action, allowed, reason) VALUES ($1, $2::numeric, $3, $4, $5)", [
    entry.actor,
    entry.recordId,
    entry.action,
    entry.allowed,
    entry.reason,
  ]);
}
