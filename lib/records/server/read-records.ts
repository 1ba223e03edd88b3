import "server-only";
import { ApiError } from "@/lib/api";
import type { RecordsQueryResponse, StoredRecord } from "@/lib/api/schemas";
import { appendAudit, type AuditAction, type AuditEntry } from "@/lib/db/repositories/key-audit";
import { findRecordContent, findRecordsWithKey } from "@/lib/db/repositories/records";
import { catStream } from "@/lib/ipfs/server-store";
import { authorizeRead, readContext, refusalError, type ReadDecision } from "./authorize-read";
import { scheduleCleanup } from "./cleanup-expired-uploads";
import { toBase64 } from "./encoding";

type Refusal = Extract<ReadDecision, { allowed: false }>;
type Outcome =
  | { recordId: string; record: StoredRecord }
  | { recordId: string; unavailable: "forbidden"; refusal: Refusal }
  | { recordId: string; unavailable: "not_found" };

/**
 * Decides each record, audits every decision (allowed or not), and returns what the caller may have. A key
 * request needs the doctor's recent RecordAccessed event; a listing (query) does not.
 */
async function decide(caller: `0x${string}`, recordIds: readonly string[], action: AuditAction): Promise<Outcome[]> {
  const context = readContext(caller);
  const requireAccessLog = action !== "query";
  const settled = await Promise.allSettled(recordIds.map(async (recordId) => ({ recordId, decision: await authorizeRead(context, recordId, { requireAccessLog }) })));
  const failed = settled.find((result) => result.status === "rejected");
  if (failed) {
    // One decision failed (the chain went away mid-request, say): the whole request fails and no key leaves,
    // but the refusals already decided are still audited. Allowed decisions are not: nothing was released.
    const refused = settled.flatMap((result) => (result.status === "fulfilled" && !result.value.decision.allowed ? [result.value] : []));
    await appendAudit(refused.map(({ recordId, decision }) => ({ actor: caller, recordId, action, allowed: false, reason: decision.reason })));
    throw failed.reason;
  }
  const decisions = settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const allowedIds = decisions.filter((d) => d.decision.allowed).map((d) => d.recordId);
  const stored = allowedIds.length ? await findRecordsWithKey(allowedIds, caller) : new Map();
  const audit: AuditEntry[] = [];
  const outcomes = decisions.map(({ recordId, decision }): Outcome => {
    const found = stored.get(recordId);
    if (!decision.allowed) {
      audit.push({ actor: caller, recordId, action, allowed: false, reason: decision.reason });
      return { recordId, unavailable: "forbidden", refusal: decision };
    }
    if (!found?.wrappedKey) {
      audit.push({ actor: caller, recordId, action, allowed: false, reason: "not_found" });
      return { recordId, unavailable: "not_found" };
    }
    audit.push({ actor: caller, recordId, action, allowed: true, reason: decision.reason });
    return {
      recordId,
      record: { recordId: found.recordId, cid: found.cid, encryptedMetadata: toBase64(found.encryptedMetadata), wrappedKey: toBase64(found.wrappedKey) },
    };
  });
  await appendAudit(audit);
  return outcomes;
}

/** Many records at once: the ones the caller may read (with their wrapped key), the others with a reason. */
export async function queryRecords(caller: `0x${string}`, recordIds: readonly string[]): Promise<RecordsQueryResponse> {
  scheduleCleanup();
  const unique = [...new Set(recordIds.map((id) => BigInt(id).toString()))];
  const outcomes = await decide(caller, unique, "query");
  const response: RecordsQueryResponse = { records: [], unavailable: [] };
  for (const outcome of outcomes) {
    if ("record" in outcome) response.records.push(outcome.record);
    else response.unavailable.push({ recordId: outcome.recordId, reason: outcome.unavailable });
  }
  return response;
}

const notStored = () => new ApiError("not_found", "The key store has no key for you on this record.");

/** One record with the caller's wrapped key (403 with `details.reason` without a right, 404 when not stored). */
export async function recordKey(caller: `0x${string}`, recordId: string): Promise<StoredRecord> {
  const [outcome] = await decide(caller, [BigInt(recordId).toString()], "key");
  if (!outcome) throw new Error("no outcome");
  if ("refusal" in outcome) throw refusalError(outcome.refusal);
  if ("unavailable" in outcome) throw notStored();
  return outcome.record;
}

/** The record's ciphertext from IPFS as a stream, under the same rule as its key. */
export async function recordContent(caller: `0x${string}`, recordId: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number }> {
  const id = BigInt(recordId).toString();
  const decision = await authorizeRead(readContext(caller), id, { requireAccessLog: true });
  const content = decision.allowed ? await findRecordContent(id) : undefined;
  const reason = !decision.allowed || content ? decision.reason : "not_found";
  await appendAudit([{ actor: caller, recordId: id, action: "content", allowed: Boolean(content), reason }]);
  if (!decision.allowed) throw refusalError(decision);
  if (!content) throw notStored();

  return { stream: await catStream(content.cid), size: content.size };
}
