import "server-only";
import { randomUUID } from "node:crypto";
import { ApiError } from "@/lib/api";
import type { CreateUploadRequest, CreateUploadResponse } from "@/lib/api/schemas";
import { isPatient } from "@/lib/chain/server/reads";
import { insertUpload } from "@/lib/db/repositories/uploads";
import { scheduleCleanup } from "./cleanup-expired-uploads";
import { fromBase64 } from "./encoding";
import { UPLOAD_TTL_MS, maxCiphertextBytes } from "./limits";

/**
 * Starts an upload: the caller must be the record's patient, registered on chain (a doctor with an
 * all-records grant is the planned extension), the declared ciphertext size within the limit, and the data
 * key wrapped for the patient. The wrapped keys stay pending until the record is confirmed on chain.
 */
export async function createUpload(caller: `0x${string}`, input: CreateUploadRequest): Promise<CreateUploadResponse> {
  scheduleCleanup();
  if (input.patient !== caller) throw new ApiError("forbidden", "You may upload records only for yourself.");
  if (!(await isPatient(caller))) throw new ApiError("forbidden", "Register as a patient on chain before uploading records.");
  const maxBytes = maxCiphertextBytes();
  if (input.size > maxBytes) {
    throw new ApiError("payload_too_large", `The encrypted file may be at most ${maxBytes} bytes; ${input.size} were declared.`);
  }
  const recipients = input.wrappedKeys.map((k) => k.recipient);
  if (new Set(recipients).size !== recipients.length) {
    throw new ApiError("invalid_input", "Each recipient may have only one wrapped key.", [{ path: "wrappedKeys", message: "duplicate recipient" }]);
  }
  if (!recipients.includes(input.patient)) {
    throw new ApiError("invalid_input", "The data key must be wrapped for the patient.", [{ path: "wrappedKeys", message: "no entry for the patient" }]);
  }
  const upload = await insertUpload({
    id: randomUUID(),
    uploader: caller,
    patient: input.patient,
    declaredSize: input.size,
    encryptedMetadata: fromBase64(input.encryptedMetadata),
    wrappedKeys: input.wrappedKeys.map((k) => ({ recipient: k.recipient, wrappedKey: fromBase64(k.wrappedKey) })),
    ttlMs: UPLOAD_TTL_MS,
  });
  return { uploadId: upload.id, expiresAt: upload.expiresAt.toISOString(), maxBytes: upload.declaredSize };
}
