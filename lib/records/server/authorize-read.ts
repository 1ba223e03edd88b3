import "server-only";
import { canRead, patientOfRecord } from "@/lib/chain/server/reads";
import type { AuditReason } from "@/lib/db/repositories/key-audit";

export interface ReadDecision {
  allowed: boolean;
  reason: Extract<AuditReason, "patient" | "grant" | "forbidden">;
}

/** The record's patient (from the id itself) may read it; anyone else only if the chain says canRead. */
export async function authorizeRead(caller: string, recordId: string): Promise<ReadDecision> {
  if (patientOfRecord(recordId) === caller) return { allowed: true, reason: "patient" };
  return (await canRead(caller, BigInt(recordId))) ? { allowed: true, reason: "grant" } : { allowed: false, reason: "forbidden" };
}
