import "server-only";
import { ApiError } from "@/lib/api";
import { chainRead } from "@/lib/chain/server/chain-errors";
import { serverContracts } from "@/lib/chain/server/contracts";
import { indexOfRecord, patientOfRecord, recordCount } from "@/lib/chain/server/reads";
import { findRecordReaders } from "@/lib/db/repositories/retired-records";
import type { ReencryptRecordResponse } from "@/lib/rotation/schemas";

/** The one answer for a record of another patient and for a record the key store does not know. */
export const NOT_YOUR_RECORD = "This is not one of your stored records.";

/** The record that amends `recordId` on chain, "0" when none (or when the record is not on chain). */
export async function supersededByOnChain(recordId: string): Promise<string> {
  if (indexOfRecord(recordId) >= (await recordCount(patientOfRecord(recordId)))) return "0";
  const record = (await chainRead(() => serverContracts().patient.methods.getRecord(BigInt(recordId)).call())) as unknown as { supersededBy: bigint | string };
  return BigInt(record.supersededBy).toString();
}

/**
 * What re-encrypting one of the caller's records needs to know: its CID, whether the chain already shows it
 * amended, and who holds a wrapped key on it (the browser checks each against the chain before giving the new
 * record a key). Another patient's record and an unknown one answer the same 403.
 */
export async function reencryptRecord(caller: `0x${string}`, recordId: string): Promise<ReencryptRecordResponse> {
  const stored = patientOfRecord(recordId) === caller ? await findRecordReaders(recordId) : undefined;
  if (!stored || stored.patient !== caller) throw new ApiError("forbidden", NOT_YOUR_RECORD);
  return { recordId, cid: stored.cid, supersededBy: await supersededByOnChain(recordId), readers: stored.readers as `0x${string}`[] };
}
