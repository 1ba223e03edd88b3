import "server-only";
import { ApiError } from "@/lib/api";
import { patientOfRecord } from "@/lib/chain/server/reads";
import { findRecordReaders, hasRecordKey, retireRecordRows } from "@/lib/db/repositories/retired-records";
import { IpfsNotFoundError } from "@/lib/ipfs";
import { getIpfsStore } from "@/lib/ipfs/server-store";
import type { RetireRecordResponse } from "@/lib/rotation/schemas";
import { NOT_YOUR_RECORD, supersededByOnChain } from "./record-readers";

/**
 * The last step of re-encrypting a record: once the chain shows it amended (PatientContract.amendRecord) and the
 * new version is a confirmed record the patient holds a key on, the old version is forgotten: every key wrapped
 * on it is deleted and its ciphertext unpinned (before the deletion commits; a failed unpin keeps everything,
 * 503). Whoever kept an old wrapped key now holds the key of a file that is no longer stored.
 */
export async function retireRecord(caller: `0x${string}`, recordId: string): Promise<RetireRecordResponse> {
  const stored = patientOfRecord(recordId) === caller ? await findRecordReaders(recordId) : undefined;
  if (!stored || stored.patient !== caller) throw new ApiError("forbidden", NOT_YOUR_RECORD);
  const newRecordId = await supersededByOnChain(recordId);
  if (newRecordId === "0") throw new ApiError("conflict", "The chain does not show this record amended yet, so its only copy is kept.");
  if (!(await hasRecordKey(newRecordId, caller))) {
    throw new ApiError("conflict", `The new version (record ${newRecordId}) is not confirmed in the key store yet, so the old one is kept.`);
  }
  let unpinned = false;
  const retired = await retireRecordRows(recordId, async ({ cid, cidInUse }) => {
    if (cidInUse) return;
    try {
      await (await getIpfsStore()).unpin(cid);
    } catch (error) {
      if (!(error instanceof IpfsNotFoundError)) throw error;
    }
    unpinned = true;
  });
  if (!retired) throw new ApiError("forbidden", NOT_YOUR_RECORD);
  return { recordId, newRecordId, deletedKeys: retired.deletedKeys, cid: retired.cid, unpinned };
}
