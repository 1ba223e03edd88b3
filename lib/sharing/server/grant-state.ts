import "server-only";
import type { AllRecordsGrant, SharedRecord } from "@/lib/api/schemas";
import { getAllAccess, getAllGrants, type BlockTag } from "@/lib/chain/server/reads";
import { isUnexpired } from "./all-records-grant";

export interface GrantState {
  /** The all-records grant, null when the doctor holds none (never granted, or revoked); it may have expired. */
  allRecords: AllRecordsGrant;
  /** The records a grant covers now (getGrants granted), readable = canRead AND expiry after the server's clock. */
  records: SharedRecord[];
}

/** What `doctor` holds from `patient` right now, read at one block and judged by the server's clock `now`. */
export async function grantState(patient: string, doctor: string, block: BlockTag, now: number): Promise<GrantState> {
  const [access, grants] = await Promise.all([getAllAccess(patient, doctor, block), getAllGrants(patient, doctor, block)]);
  return {
    allRecords: access.granted ? { granted: true, expiresAt: access.expiresAt } : null,
    records: grants
      .filter((grant) => grant.granted)
      .map((grant) => ({
        recordId: grant.recordId.toString(),
        expiresAt: grant.expiresAt,
        readable: grant.readable && isUnexpired(grant.expiresAt, now),
        allRecords: grant.allRecords,
      })),
  };
}

/** The distinct values of `key` over events (oldest first), most recently seen first. */
export function newestFirstDistinct<T>(events: readonly T[], key: (event: T) => string): string[] {
  const seen = new Set<string>();
  for (let i = events.length - 1; i >= 0; i--) seen.add(key(events[i]!));
  return [...seen];
}
