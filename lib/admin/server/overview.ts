import "server-only";
import type { AdminOverviewResponse } from "@/lib/api/schemas";
import { allDoctors } from "@/lib/chain/server/doctors";
import { accessEvents, countPatientEvents, grantEvents } from "@/lib/chain/server/events";
import { latestBlockNumber } from "@/lib/chain/server/reads";
import { isUnexpired, serverNowSeconds } from "@/lib/sharing/server/all-records-grant";
import { grantState } from "@/lib/sharing/server/grant-state";

/**
 * The dashboard's counts, from chain views and events: doctors (all, active), patients, records, doctor
 * accesses (RecordAccessed by someone other than the patient), and active grants = patient-doctor pairs where
 * the doctor can read at least one record now or holds a live all-records grant (active doctor, expiry after
 * the server's clock).
 */
export async function adminOverview(): Promise<AdminOverviewResponse> {
  const [doctors, patients, records, accesses, grants, block] = await Promise.all([
    allDoctors(),
    countPatientEvents("PatientRegistered"),
    countPatientEvents("RecordAdded"),
    accessEvents({}),
    grantEvents({ kinds: ["granted", "all_granted"] }),
    latestBlockNumber(),
  ]);
  const now = serverNowSeconds();
  const active = new Set(doctors.filter((doctor) => doctor.active).map((doctor) => doctor.address));
  const pairs = [...new Set(grants.filter((event) => active.has(event.doctor)).map((event) => `${event.patient} ${event.doctor}`))];
  const live = await Promise.all(
    pairs.map(async (pair) => {
      const [patient, doctor] = pair.split(" ") as [string, string];
      const state = await grantState(patient, doctor, block, now);
      return (state.allRecords !== null && isUnexpired(state.allRecords.expiresAt, now)) || state.records.some((record) => record.readable);
    }),
  );
  return {
    doctors: doctors.length,
    activeDoctors: active.size,
    patients,
    records,
    activeGrants: live.filter(Boolean).length,
    accesses: accesses.filter((event) => event.doctor !== event.patient).length,
  };
}
