import "server-only";
import { randomUUID } from "node:crypto";
import { ApiError } from "@/lib/api";
import type { AccessRequest, CreateAccessRequest } from "@/lib/access-requests/schemas";
import { doctorOf } from "@/lib/chain/server/doctors";
import { isPatient } from "@/lib/chain/server/reads";
import { insertAccessRequest } from "@/lib/db/repositories/access-requests";
import { fromBase64 } from "@/lib/records/server/encoding";
import { isUnexpired } from "@/lib/sharing/server/all-records-grant";
import { requestView } from "./view";

const isUniqueViolation = (error: unknown) => typeof error === "object" && error !== null && (error as { code?: unknown }).code === "23505";

/**
 * A doctor (active on chain: the route's role) asks a registered patient for access. The patient must be
 * another address and registered on chain (422); a proposed expiry must be 0 or after the server's clock
 * (422). One open request per doctor and patient: a second is a 409 until the first is decided or withdrawn.
 */
export async function createAccessRequest(doctor: `0x${string}`, input: CreateAccessRequest): Promise<AccessRequest> {
  if (input.patient === doctor) {
    throw new ApiError("invalid_input", "You cannot ask yourself for access.", [{ path: "patient", message: "is the caller" }]);
  }
  if (!isUnexpired(input.proposedExpiry)) {
    throw new ApiError("invalid_input", "The proposed expiry has already passed.", [{ path: "proposedExpiry", message: "must be 0 (no expiry) or in the future" }]);
  }
  if (!(await isPatient(input.patient))) {
    throw new ApiError("invalid_input", `${input.patient} is not a registered patient.`, [{ path: "patient", message: "is not a registered patient" }]);
  }
  let row;
  try {
    row = await insertAccessRequest({
      id: randomUUID(),
      doctor,
      patient: input.patient,
      allRecords: input.allRecords,
      categories: input.allRecords ? [] : input.categories,
      proposedExpiry: input.proposedExpiry,
      encryptedReason: fromBase64(input.encryptedReason),
      reasonKeyPatient: fromBase64(input.reasonKeys.patient),
      reasonKeyDoctor: fromBase64(input.reasonKeys.doctor),
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ApiError("conflict", "You already have an open request to this patient. Wait for their answer or withdraw it before asking again.");
    }
    throw error;
  }
  const entry = await doctorOf(doctor);
  return requestView(row, "doctor", { name: entry?.name ?? "", specialty: entry?.specialty ?? "" });
}
