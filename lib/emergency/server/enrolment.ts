import "server-only";
import { ApiError } from "@/lib/api";
import { patientOfRecord } from "@/lib/chain/server/reads";
import { findEnrolment, putEnrolment, recordsAddedByOthersWithoutEmergencyKey, shareHolders, upsertEmergencyKeys } from "@/lib/db/repositories/emergency";
import { findPatientRecordIds } from "@/lib/db/repositories/records";
import { fromBase64, toBase64 } from "@/lib/records/server/encoding";
import { MAX_ADDED_BY_OTHERS, type EnrolmentResponse, type PutEmergencyKeysRequest, type PutEnrolmentRequest } from "@/lib/emergency/schemas";
import { adminsWithKeys, emergencyKeyOf, orphanedShareHolders } from "./chain";

type Hex = `0x${string}`;

/**
 * Stores the material of a new opt-in (or renewal) before the patient signs setEmergencyKey: the public key,
 * the sealed scope and one sealed share per administrator with a key. `keyVersion` must be the chain's next
 * version (409 otherwise: another tab renewed meanwhile); the shares must be exactly one for each such
 * administrator (422). The chain decides later whether this version is live.
 */
export async function storeEnrolment(patient: Hex, input: PutEnrolmentRequest): Promise<{ keyVersion: number }> {
  const current = await emergencyKeyOf(patient);
  if (input.keyVersion !== current.version + 1) {
    throw new ApiError("conflict", `Your emergency key is at version ${current.version} on chain; the next one is ${current.version + 1}.`);
  }
  const holders = new Set((await adminsWithKeys()).map((entry) => entry.admin));
  const given = input.shares.map((share) => share.admin);
  if (new Set(given).size !== given.length) throw new ApiError("invalid_input", "Each administrator may hold only one share.", [{ path: "shares", message: "duplicate administrator" }]);
  const stranger = given.find((admin) => !holders.has(admin));
  if (stranger) throw new ApiError("invalid_input", `${stranger} is not an administrator with an encryption key on chain.`, [{ path: "shares", message: "not an administrator with a key" }]);
  if (given.length !== holders.size) {
    throw new ApiError("invalid_input", `Give one share to each of the ${holders.size} administrators with a key.`, [{ path: "shares", message: "an administrator is missing" }]);
  }
  await putEnrolment(
    patient,
    { keyVersion: input.keyVersion, publicKey: fromBase64Hex(input.publicKey), sealedScope: fromBase64(input.sealedScope) },
    input.shares.map((share) => ({ admin: share.admin, sealedShare: fromBase64(share.sealedShare) })),
  );
  return { keyVersion: input.keyVersion };
}

const fromBase64Hex = (hex: string) => Buffer.from(hex.slice(2), "hex");

/**
 * The stored opt-in of the chain's live key version (null when the chain has none, or the server no row), with
 * the administrators whose share no longer opens with their key on chain (new key, or removed): the patient is
 * asked to renew the emergency key; and the records doctors added since that still lack an emergency key.
 */
export async function readEnrolment(patient: Hex): Promise<EnrolmentResponse> {
  const current = await emergencyKeyOf(patient);
  if (!current.key) return { enrolment: null };
  const row = await findEnrolment(patient, current.version);
  if (!row || `0x${Buffer.from(row.publicKey).toString("hex")}` !== current.key) return { enrolment: null };
  const [holders, admins, addedByOthers] = await Promise.all([
    shareHolders(patient, current.version),
    adminsWithKeys(),
    recordsAddedByOthersWithoutEmergencyKey(patient, current.version, MAX_ADDED_BY_OTHERS),
  ]);
  const orphaned = await orphanedShareHolders(patient, current.version, holders, new Map(admins.map((entry) => [entry.admin, entry.key])));
  return {
    enrolment: { keyVersion: current.version, publicKey: current.key, sealedScope: toBase64(row.sealedScope), records: row.records, orphanedShares: orphaned as Hex[], addedByOthers },
  };
}

/**
 * Stores data keys of the caller's records wrapped for their emergency key of `keyVersion`: the version stored
 * by storeEnrolment, not older than the chain's (409); every record the caller's and known (403, as shares).
 */
export async function storeEmergencyKeys(patient: Hex, input: PutEmergencyKeysRequest): Promise<{ stored: number }> {
  const [current, row] = await Promise.all([emergencyKeyOf(patient), findEnrolment(patient, input.keyVersion)]);
  if (!row || input.keyVersion < current.version || input.keyVersion > current.version + 1) {
    throw new ApiError("conflict", `Your emergency key version ${input.keyVersion} is not the current one; renew your emergency key.`);
  }
  const ids = input.keys.map((key) => BigInt(key.recordId).toString());
  if (new Set(ids).size !== ids.length) throw new ApiError("invalid_input", "Each record may have only one wrapped key.", [{ path: "keys", message: "duplicate record" }]);
  const known = await findPatientRecordIds(patient, ids.filter((id) => patientOfRecord(id) === patient));
  const foreign = ids.find((id) => !known.has(id));
  if (foreign !== undefined) throw new ApiError("forbidden", `Record ${foreign} is not one of your stored records.`);
  const stored = await upsertEmergencyKeys(patient, input.keyVersion, input.keys.map((key, i) => ({ recordId: ids[i]!, wrappedKey: fromBase64(key.wrappedKey) })));
  return { stored };
}
