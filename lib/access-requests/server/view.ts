import "server-only";
import { ApiError } from "@/lib/api";
import type { AccessRequest } from "@/lib/access-requests/schemas";
import type { AccessRequestRow } from "@/lib/db/repositories/access-requests";
import { toBase64 } from "@/lib/records/server/encoding";

/** What the doctor's registry entry says now (empty strings when the doctor is gone from the registry). */
export interface DoctorNames {
  name: string;
  specialty: string;
}

/**
 * One request as the API shows it to `reader` (its doctor or its patient): the reason stays sealed, with the
 * data key wrapped for the reader only.
 */
export function requestView(row: AccessRequestRow, reader: "doctor" | "patient", names: DoctorNames): AccessRequest {
  return {
    id: row.id,
    doctor: row.doctor,
    patient: row.patient,
    doctorName: names.name,
    doctorSpecialty: names.specialty,
    allRecords: row.allRecords,
    categories: row.categories as AccessRequest["categories"],
    proposedExpiry: row.proposedExpiry,
    encryptedReason: toBase64(row.encryptedReason),
    reasonKey: toBase64(reader === "doctor" ? row.reasonKeyDoctor : row.reasonKeyPatient),
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}

/**
 * The one answer for a request id the caller may not act on: someone else's request, an unknown id, a
 * malformed id, and (for the patient) a request of a doctor no longer active all read the same, so an id
 * tells a stranger nothing.
 */
export const notYourRequest = () => new ApiError("forbidden", "There is no such access request for you.");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A request id from the URL; anything not a UUID names no request (the same 403 as an unknown one). */
export function requestIdParam(id: string | undefined): string {
  if (!id || !UUID.test(id)) throw notYourRequest();
  return id.toLowerCase();
}
