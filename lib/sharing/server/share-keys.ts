import "server-only";
import { ApiError } from "@/lib/api";
import type { PutShareKeysRequest } from "@/lib/api/schemas";
import { doctorOf } from "@/lib/chain/server/doctors";
import { patientOfRecord } from "@/lib/chain/server/reads";
import { findPatientRecordIds } from "@/lib/db/repositories/records";
import { findUserKey } from "@/lib/db/repositories/users";
import { upsertRecordKeys } from "@/lib/db/repositories/wrapped-keys";
import { fromBase64 } from "@/lib/records/server/encoding";

const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;

/**
 * Stores data keys the patient's browser re-wrapped for a doctor, before the grant is signed (and pruned if it
 * fails). Every record must be the caller's and known to the key store (403); the doctor must be an active
 * doctor with a published key (403) whose key in the key store is the one on chain (409 key_mismatch), since
 * the browser wrapped for the chain's key. Keys replace earlier ones for the same record and doctor.
 */
export async function storeShareKeys(patient: `0x${string}`, input: PutShareKeysRequest): Promise<{ stored: number }> {
  if (input.doctor === patient) {
    throw new ApiError("invalid_input", "You cannot share records with yourself.", [{ path: "doctor", message: "is the caller" }]);
  }
  const ids = input.keys.map((key) => BigInt(key.recordId).toString());
  if (new Set(ids).size !== ids.length) {
    throw new ApiError("invalid_input", "Each record may have only one wrapped key.", [{ path: "keys", message: "duplicate record" }]);
  }
  const known = await findPatientRecordIds(patient, ids.filter((id) => patientOfRecord(id) === patient));
  const foreign = ids.find((id) => !known.has(id));
  if (foreign !== undefined) throw new ApiError("forbidden", `Record ${foreign} is not one of your stored records.`);

  const doctor = await doctorOf(input.doctor);
  if (!doctor?.active) throw new ApiError("forbidden", `${input.doctor} is not an active doctor.`);
  if (!doctor.hasKey) throw new ApiError("forbidden", "This doctor has not published an encryption key yet.");
  const stored = await findUserKey(input.doctor);
  if (!stored) throw new ApiError("forbidden", "This doctor has no encryption key in the key store yet.");
  if (hex(stored) !== doctor.encryptionKey) {
    throw new ApiError("key_mismatch", "The key store's key for this doctor is not the key on chain; nothing was stored.");
  }
  const count = await upsertRecordKeys(
    input.doctor,
    input.keys.map((key, i) => ({ recordId: ids[i]!, wrappedKey: fromBase64(key.wrappedKey) })),
  );
  return { stored: count };
}
