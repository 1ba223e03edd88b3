import "server-only";
import { ApiError } from "@/lib/api";
import { getRecord, patientOfRecord } from "@/lib/chain/server/reads";
import { confirmUploadAsRecord } from "@/lib/db/repositories/uploads";
import { cidChainParts } from "@/lib/ipfs/cid-chain-parts";
import { uploaderUpload } from "./uploader-upload";

/**
 * Confirms an upload once its record is on chain: the record exists, belongs to the upload's patient, and
 * names the uploaded CID (digest and codec). Then the record is stored and its wrapped keys confirmed.
 * Confirming again with the same record answers the same.
 */
export async function confirmUpload(caller: `0x${string}`, uploadId: string, recordId: string): Promise<{ recordId: string; cid: string }> {
  // The record is read from the chain while the upload is looked up (the chain is public; its answer is used
  // only once the upload is known to be the caller's).
  const onChain = getRecord(BigInt(recordId)).then(
    (record) => ({ record }),
    (error: unknown) => ({ error }),
  );
  const upload = await uploaderUpload(caller, uploadId);
  if (upload.status === "confirmed") {
    if (upload.recordId !== null && BigInt(upload.recordId) === BigInt(recordId) && upload.cid) return { recordId, cid: upload.cid };
    throw new ApiError("conflict", `This upload is already confirmed as record ${upload.recordId}.`);
  }
  if (upload.status !== "received" || !upload.cid) throw new ApiError("conflict", "The content of this upload has not been received yet.");
  if (patientOfRecord(recordId) !== upload.patient) throw new ApiError("conflict", `Record ${recordId} belongs to another patient than this upload.`);
  const read = await onChain;
  if ("error" in read) throw read.error;
  const { record } = read;
  if (!record) throw new ApiError("conflict", `Record ${recordId} is not on chain; wait for the transaction to be mined.`);
  const expected = cidChainParts(upload.cid);
  if (record.cidDigest !== expected.cidDigest || record.codec !== expected.codec) {
    throw new ApiError("conflict", `Record ${recordId} on chain names another file than this upload.`);
  }
  // A concurrent confirm of the same upload may have won the row lock meanwhile: the same record id then
  // answers the same 200 (idempotent), another one a 409.
  const confirmed = await confirmUploadAsRecord(upload.id, recordId);
  if (confirmed.outcome === "confirmed_as_other") throw new ApiError("conflict", `This upload is already confirmed as record ${confirmed.recordId}.`);
  if (confirmed.outcome === "not_received") throw new ApiError("conflict", "This upload changed while confirming it; try again.");
  return { recordId, cid: confirmed.cid };
}
