import "server-only";
import type { AccessRequestsResponse } from "@/lib/access-requests/schemas";
import { doctorOf, type DoctorOnChain } from "@/lib/chain/server/doctors";
import { pendingRequestsToPatient, requestsByDoctor } from "@/lib/db/repositories/access-requests";
import { requestView } from "./view";

/** The doctor's list shows this many of their newest requests. */
const DOCTOR_LIST_LIMIT = 200;

/**
 * The patient's pending requests, newest first, each with the doctor's name and specialty from the registry.
 * Requests of doctors who are no longer active (deactivated, or gone) are left out: they cannot be granted.
 */
export async function requestsToPatient(patient: `0x${string}`): Promise<AccessRequestsResponse> {
  const rows = await pendingRequestsToPatient(patient);
  const doctors = new Map<string, DoctorOnChain | undefined>();
  await Promise.all([...new Set(rows.map((row) => row.doctor))].map(async (address) => doctors.set(address, await doctorOf(address))));
  return {
    requests: rows.flatMap((row) => {
      const doctor = doctors.get(row.doctor);
      return doctor?.active ? [requestView(row, "patient", doctor)] : [];
    }),
  };
}

/** Every request the doctor made (newest first), with its outcome: pending, approved, declined or withdrawn. */
export async function requestsOfDoctor(doctor: `0x${string}`): Promise<AccessRequestsResponse> {
  const [rows, entry] = await Promise.all([requestsByDoctor(doctor, DOCTOR_LIST_LIMIT), doctorOf(doctor)]);
  const names = { name: entry?.name ?? "", specialty: entry?.specialty ?? "" };
  return { requests: rows.map((row) => requestView(row, "doctor", names)) };
}
