import "server-only";
import type { DoctorPatientsResponse, SharesResponse } from "@/lib/api/schemas";
import { doctorOf } from "@/lib/chain/server/doctors";
import { grantEvents } from "@/lib/chain/server/events";
import { latestBlockNumber } from "@/lib/chain/server/reads";
import { serverNowSeconds } from "./all-records-grant";
import { grantState, newestFirstDistinct } from "./grant-state";

const GRANTING = ["granted", "all_granted"] as const;

/**
 * "Who can see what": every doctor the patient ever granted anything (from the AccessGranted and
 * AllAccessGranted events), most recent grant first, with the current state of their grants.
 */
export async function patientShares(patient: `0x${string}`): Promise<SharesResponse> {
  const [events, block] = await Promise.all([grantEvents({ patient, kinds: GRANTING }), latestBlockNumber()]);
  const now = serverNowSeconds();
  const doctors = newestFirstDistinct(events, (event) => event.doctor);
  return {
    doctors: await Promise.all(
      doctors.map(async (address) => {
        const [doctor, state] = await Promise.all([doctorOf(address), grantState(patient, address, block, now)]);
        return { doctor: address as `0x${string}`, name: doctor?.name ?? "", specialty: doctor?.specialty ?? "", active: doctor?.active ?? false, ...state };
      }),
    ),
  };
}

/** "My patients": every patient who ever granted the doctor anything, most recent grant first, with the current state. */
export async function doctorPatients(doctor: `0x${string}`): Promise<DoctorPatientsResponse> {
  const [events, block] = await Promise.all([grantEvents({ doctor, kinds: GRANTING }), latestBlockNumber()]);
  const now = serverNowSeconds();
  const patients = newestFirstDistinct(events, (event) => event.patient);
  return {
    patients: await Promise.all(patients.map(async (patient) => ({ patient: patient as `0x${string}`, ...(await grantState(patient, doctor, block, now)) }))),
  };
}
