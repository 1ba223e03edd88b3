import "server-only";
import { randomUUID } from "node:crypto";
import { ApiError } from "@/lib/api";
import type { CreateUploadRequest, CreateUploadResponse } from "@/lib/api/schemas";
import { doctorStatus } from "@/lib/chain/server/doctors";
import { isPatient } from "@/lib/chain/server/reads";
import { hasLiveAllAccess, serverNowSeconds } from "@/lib/sharing/server/all-records-grant";
import { insertUpload, lockedPatientUploadUsage } from "@/lib/db/repositories/uploads";
import type { Queryable } from "@/lib/db/repositories/query";
import { scheduleCleanup } from "./cleanup-expired-uploads";
import { fromBase64 } from "./encoding";
import { UPLOAD_TTL_MS, maxCiphertextBytes, patientCaps } from "./limits";

/** The caller may add a record for `patient`: it is themself (registered), or they are an active doctor with a live all-records grant. */
async function checkUploader(caller: `0x${string}`, patient: `0x${string}`, now: number): Promise<void> {
  if (patient === caller) {
    if (!(await isPatient(caller))) throw new ApiError("forbidden", "Register as a patient on chain before uploading records.");
    return;
  }
  const status = await doctorStatus(caller);
  if (status === "none") throw new ApiError("forbidden", "You may upload records only for yourself.");
  if (status === "inactive") throw new ApiError("forbidden", "Your doctor account is deactivated.");
  if (!(await hasLiveAllAccess(patient, caller, now))) {
    throw new ApiError("forbidden", "You may add records for this patient only while you hold an all-records grant from them.");
  }
}

/**
 * The patient's caps (MAX_PENDING_UPLOADS_PER_PATIENT, MAX_STORED_BYTES_PER_PATIENT), counted under a lock on
 * the patient inside the insert's transaction, so parallel starts cannot overshoot: 429 with details.reason
 * "pending_uploads", or 413 with details.reason "storage_quota", and nothing is stored.
 */
async function checkPatientCaps(db: Queryable, patient: `0x${string}`, declaredSize: number): Promise<void> {
  const caps = patientCaps();
  const usage = await lockedPatientUploadUsage(patient, db);
  if (usage.pending >= caps.pendingUploads) {
    throw new ApiError(
      "rate_limited",
      `${caps.pendingUploads} uploads for this patient are waiting to be finished; finish or cancel one before starting another.`,
      { reason: "pending_uploads", limit: caps.pendingUploads },
    );
  }
  if (usage.storedBytes + declaredSize > caps.storedBytes) {
    throw new ApiError(
      "payload_too_large",
      `This patient's records may take at most ${caps.storedBytes} encrypted bytes; ${usage.storedBytes} are held and ${declaredSize} more were declared.`,
      { reason: "storage_quota", limit: caps.storedBytes, used: usage.storedBytes },
    );
  }
}

/**
 * Starts an upload: the caller is the record's patient (registered on chain), or an active doctor holding a
 * live all-records grant from the patient (by the chain and the server's clock); the declared ciphertext size
 * is within the limit; the data key is wrapped for the patient and the uploader, and for nobody else but active
 * doctors with a live all-records grant from the patient; the patient's caps on pending uploads and stored
 * bytes hold. The wrapped keys stay pending until the record is confirmed on chain.
 */
export async function createUpload(caller: `0x${string}`, input: CreateUploadRequest): Promise<CreateUploadResponse> {
  scheduleCleanup();
  const now = serverNowSeconds();
  // The chain is read once, side by side: the uploader's right and the grant of every other recipient named
  // (a doctor's answer is used only after the uploader's check and the checks of the request's shape).
  const others = [...new Set(input.wrappedKeys.map((k) => k.recipient))].filter((recipient) => recipient !== input.patient && recipient !== caller);
  const grants = Promise.all(others.map((doctor) => hasLiveAllAccess(input.patient, doctor, now))).then(
    (live) => ({ live }),
    (error: unknown) => ({ error }),
  );
  await checkUploader(caller, input.patient, now);
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
  if (!recipients.includes(caller)) {
    throw new ApiError("invalid_input", "The data key must be wrapped for you, the uploader.", [{ path: "wrappedKeys", message: "no entry for the uploader" }]);
  }
  const read = await grants;
  if ("error" in read) throw read.error;
  const { live } = read;
  const refused = others.filter((_, i) => !live[i]);
  if (refused.length) {
    throw new ApiError("forbidden", `${refused.join(", ")} may not receive this record's key: only the patient, the uploader and doctors holding a live all-records grant from the patient may.`);
  }
  const upload = await insertUpload({
    id: randomUUID(),
    uploader: caller,
    patient: input.patient,
    declaredSize: input.size,
    encryptedMetadata: fromBase64(input.encryptedMetadata),
    wrappedKeys: input.wrappedKeys.map((k) => ({ recipient: k.recipient, wrappedKey: fromBase64(k.wrappedKey) })),
    ttlMs: UPLOAD_TTL_MS,
  }, (db) => checkPatientCaps(db, input.patient, input.size));
  return { uploadId: upload.id, expiresAt: upload.expiresAt.toISOString(), maxBytes: upload.declaredSize };
}
