import "server-only";
import { ApiError } from "@/lib/api";
import type { RecordsQueryResponse, StoredRecord } from "@/lib/api/schemas";
import { appendAudit, type AuditAction, type AuditEntry } from "@/lib/db/repositories/key-audit";
import { findRecordContent, findRecordsWithKey } from "@/lib/db/repositories/records";
import { getIpfsStore } from "@/lib/ipfs/server-store";
import { authorizeRead } from "./authorize-read";
import { scheduleCleanup } from "./cleanup-expired-uploads";
import { toBase64 } from "./encoding";

type Outcome = { recordId: string; record: StoredRecord } | { recordId: string; unavailable: "forbidden" | "not_found" };

/** Decides each record, audits every decision (allowed or not), and returns what the caller may have. */
async function decide(caller: `0x${string}`, recordIds: readonly string[], action: AuditAction): Promise<Outcome[]> {
  const settled = await Promise.allSettled(recordIds.map(async (recordId) => ({ recordId, ...(await authorizeRead(caller, recordId)) })));
  const failed = settled.find((result) => result.status === "rejected");
  if (failed) {
    // One decision failed (the chain went away mid-request, say): the whole request fails and no key leaves,
    // but the refusals already decided are still audited. Allowed decisions are not: nothing was released.
    const refused = settled.flatMap((result) => (result.status === "fulfilled" && !result.value.allowed ? [result.value.recordId] : []));
    await appendAudit(refused.map((recordId) => ({ actor: caller, recordId, action, allowed: false, reason: "forbidden" as const })));
    throw failed.reason;
  }
  const decisions = settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const allowedIds = decisions.filter((d) => d.allowed).map((d) => d.recordId);
  const stored = allowedIds.length ? await findRecordsWithKey(allowedIds, caller) : new Map();
  const audit: AuditEntry[] = [];
  const outcomes = decisions.map((decision): Outcome => {
    const found = stored.get(decision.recordId);
    if (!decision.allowed) {
      audit.push({ actor: caller, recordId: decision.recordId, action, allowed: false, reason: "forbidden" });
      return { recordId: decision.recordId, unavailable: "forbidden" };
    }
    if (!found?.wrappedKey) {
      audit.push({ actor: caller, recordId: decision.recordId, action, allowed: false, reason: "not_found" });
      return { recordId: decision.recordId, unavailable: "not_found" };
    }
    audit.push({ actor: caller, recordId: decision.recordId, action, allowed: true, reason: decision.reason });
    return {
      recordId: decision.recordId,
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

function throwUnavailable(reason: "forbidden" | "not_found"): never {
  if (reason === "forbidden") throw new ApiError("forbidden", "You may not read this record.");
  throw new ApiError("not_found", "The key store has no key for you on this record.");
}

/** One record with the caller's wrapped key (403 without a right, 404 when not stored). */
export async function recordKey(caller: `0x${string}`, recordId: string): Promise<StoredRecord> {
  const [outcome] = await decide(caller, [BigInt(recordId).toString()], "key");
  if (!outcome) throw new Error("no outcome");
  if ("unavailable" in outcome) throwUnavailable(outcome.unavailable);
  return outcome.record;
}

/** The record's ciphertext from IPFS as a stream, under the same rule as its key. */
export async function recordContent(caller: `0x${string}`, recordId: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number }> {
  const id = BigInt(recordId).toString();
  const decision = await authorizeRead(caller, id);
  const content = decision.allowed ? await findRecordContent(id) : undefined;
  const reason = !decision.allowed ? "forbidden" : content ? decision.reason : "not_found";
  await appendAudit([{ actor: caller, recordId: id, action: "content", allowed: Boolean(content), reason }]);
  if (!content) throwUnavailable(decision.allowed ? "not_found" : "forbidden");

  const chunks = (await getIpfsStore()).cat(content.cid)[Symbol.asyncIterator]();
  // The first read reports a missing CID; do it before the response starts.
  const first = await chunks.next();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.done) controller.close();
      else controller.enqueue(first.value);
    },
    async pull(controller) {
      if (first.done) return;
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return?.();
    },
  });
  return { stream, size: content.size };
}
