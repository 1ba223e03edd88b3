import "server-only";
import { ApiError } from "@/lib/api";
import type { PruneSharesRequest } from "@/lib/api/schemas";
import { getAllGrants, latestBlockNumber, patientOfRecord } from "@/lib/chain/server/reads";
import { deleteUnchangedRecordKeys, recordKeyVersions } from "@/lib/db/repositories/wrapped-keys";

/**
 * Deletes the doctor's wrapped keys on the caller's records (those listed, else all) that no grant lets the
 * doctor read any more at the latest block: after a revocation is mined, or after a grant's transaction failed.
 * The decision is the grant itself (getGrants: granted, unexpired, doctor active), never canRead: canRead is
 * also true during an emergency window, which must not keep a revoked doctor's keys alive. Records of another
 * patient in the list are a 403.
 */
export async function pruneShareKeys(patient: `0x${string}`, input: PruneSharesRequest): Promise<{ deleted: number }> {
  const listed = input.recordIds && [...new Set(input.recordIds.map((id) => BigInt(id).toString()))];
  const foreign = listed?.find((id) => patientOfRecord(id) !== patient);
  if (foreign !== undefined) throw new ApiError("forbidden", `Record ${foreign} is not one of your records.`);
  const withKey = await recordKeyVersions(patient, input.doctor, listed);
  if (withKey.length === 0) return { deleted: 0 };
  const block = await latestBlockNumber();
  const readable = new Set((await getAllGrants(patient, input.doctor, block)).filter((grant) => grant.granted && grant.readable).map((grant) => grant.recordId.toString()));
  return { deleted: await deleteUnchangedRecordKeys(input.doctor, withKey.filter((key) => !readable.has(BigInt(key.recordId).toString()))) };
}
