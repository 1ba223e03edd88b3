import type { ShareSummary } from "@/lib/api/schemas";
import { getShares } from "./api";

/** A doctor who currently holds something from the patient (an all-records grant or a record), expired or not. */
export const holdsGrant = (share: ShareSummary) => Boolean(share.allRecords?.granted) || share.records.length > 0;

/** The doctors currently holding a grant from the signed-in patient (GET /api/shares), by name. */
export async function loadCurrentShares(): Promise<ShareSummary[]> {
  const { doctors } = await getShares();
  return doctors.filter(holdsGrant).sort((a, b) => a.name.localeCompare(b.name) || a.doctor.localeCompare(b.doctor));
}
