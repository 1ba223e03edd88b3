import "server-only";
import type { DoctorPatientsResponse, SharesResponse } from "@/lib/api/schemas";
import { doctorOf } from "@/lib/chain/server/doctors";
import { grantersOf, grantEvents, type Granter } from "@/lib/chain/server/events";
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

/** Where a page of "My patients" ends: the newest grant's position (block, log index) of its last patient. */
const CURSOR = /^([0-9]{1,15})-([0-9]{1,9})$/;
const cursorOf = (granter: Granter) => `${granter.block}-${granter.logIndex}`;
function parseCursor(cursor: string): { block: bigint; logIndex: number } {
  const match = CURSOR.exec(cursor);
  if (!match) throw new Error("bad cursor");
  return { block: BigInt(match[1]!), logIndex: Number(match[2]) };
}

export const DEFAULT_PATIENTS_PAGE = 20;

/**
 * "My patients", one page: the patients who granted the doctor anything, most recent grant first, `limit` of
 * them after `cursor` (the previous page's `next`), with the current state of their grants, read at one block.
 * The patients come from an incremental scan of the grant events (grantersOf); the grant state is read for
 * this page's patients only, so the cost follows the page, not how many patients ever granted the doctor.
 * A patient who grants again between two pages moves to the top and is not repeated further down.
 */
export async function doctorPatients(doctor: `0x${string}`, page: { limit?: number; cursor?: string } = {}): Promise<DoctorPatientsResponse> {
  const limit = page.limit ?? DEFAULT_PATIENTS_PAGE;
  const { granters, block } = await grantersOf(doctor);
  const now = serverNowSeconds();
  let start = 0;
  if (page.cursor) {
    const after = parseCursor(page.cursor);
    // The first patient whose newest grant is older than the cursor (the list is newest first).
    start = granters.findIndex((granter) => granter.block < after.block || (granter.block === after.block && granter.logIndex < after.logIndex));
    if (start < 0) start = granters.length;
  }
  const shown = granters.slice(start, start + limit);
  return {
    patients: await Promise.all(shown.map(async ({ patient }) => ({ patient, ...(await grantState(patient, doctor, block, now)) }))),
    next: start + limit < granters.length ? cursorOf(shown.at(-1)!) : null,
  };
}
