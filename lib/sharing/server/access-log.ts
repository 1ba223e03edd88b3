import "server-only";
import type { AccessLogResponse } from "@/lib/api/schemas";
import { accessEvents, grantEvents, logTimes } from "@/lib/chain/server/events";
import { recordIdRange } from "@/lib/chain/server/reads";
import { auditRowsForRecords } from "@/lib/db/repositories/key-audit";

/** The newest key-store audit rows the access log shows. */
const ACCESS_LOG_AUDIT_LIMIT = 1000;

/**
 * The patient's access log, newest first: every doctor's opening of one of their records (RecordAccessed;
 * the patient's own openings are left out), the grant and revoke history, and the key store's audit rows
 * (every key release and refusal) on their records.
 */
export async function accessLog(patient: `0x${string}`): Promise<AccessLogResponse> {
  const [accesses, grants, audit] = await Promise.all([
    accessEvents({ patient }),
    grantEvents({ patient }),
    auditRowsForRecords(recordIdRange(patient), ACCESS_LOG_AUDIT_LIMIT),
  ]);
  const times = await logTimes(grants.map((event) => event.log));
  return {
    accesses: accesses
      .filter((event) => event.doctor !== patient)
      .reverse()
      .map((event) => ({ doctor: event.doctor, recordId: event.recordId.toString(), time: event.time, txHash: event.log.txHash })),
    history: grants.reverse().map((event) => ({
      kind: event.kind,
      doctor: event.doctor,
      ...(event.recordId !== undefined && { recordId: event.recordId.toString() }),
      ...(event.expiresAt !== undefined && { expiresAt: event.expiresAt }),
      time: times.get(event.log.blockHash) ?? 0,
      txHash: event.log.txHash,
    })),
    audit: audit.map((row) => ({
      at: row.at.toISOString(),
      actor: row.actor as `0x${string}`,
      recordId: row.recordId,
      action: row.action,
      allowed: row.allowed,
      reason: row.reason,
    })),
  };
}
