import type { AccessEntry, AllRecordsGrant, SharedRecord, ShareSummary } from "@/lib/api/schemas";
import type { ExportAccess, ExportGrant } from "./export";

// Pure: the sharing API's shapes turned into the export's grants and accesses.

const live = (expiresAt: number, now: number) => expiresAt === 0 || expiresAt > now;

/**
 * One doctor's grants: the all-records grant (when given) and the per-record grants grouped by expiry (a
 * record covered only by the all-records grant is not listed again).
 */
export function grantsOf(
  doctor: { address: string; name?: string; active?: boolean },
  allRecords: AllRecordsGrant,
  records: readonly SharedRecord[],
  now = Math.floor(Date.now() / 1000),
): ExportGrant[] {
  const grants: ExportGrant[] = [];
  const active = doctor.active ?? true;
  if (allRecords?.granted) {
    grants.push({ doctor: doctor.address, doctorName: doctor.name, expiresAt: allRecords.expiresAt, allRecords: true, recordIds: [], active: active && live(allRecords.expiresAt, now) });
  }
  const byExpiry = new Map<number, SharedRecord[]>();
  for (const record of records) {
    if (record.allRecords) continue;
    byExpiry.set(record.expiresAt, [...(byExpiry.get(record.expiresAt) ?? []), record]);
  }
  for (const [expiresAt, group] of [...byExpiry].sort((a, b) => a[0] - b[0])) {
    grants.push({
      doctor: doctor.address,
      doctorName: doctor.name,
      expiresAt,
      allRecords: false,
      recordIds: group.map((record) => record.recordId),
      active: active && live(expiresAt, now) && group.some((record) => record.readable),
    });
  }
  return grants;
}

/** Every grant the patient has given (GET /api/shares). */
export const grantsOfShares = (shares: readonly ShareSummary[], now?: number) =>
  shares.flatMap((share) => grantsOf({ address: share.doctor, name: [share.name, share.specialty && `(${share.specialty})`].filter(Boolean).join(" ") || undefined, active: share.active }, share.allRecords, share.records, now));

/** The access log's openings (RecordAccessed), with the names the browser resolved. */
export const accessesOf = (accesses: readonly (AccessEntry & { who?: string })[]): ExportAccess[] =>
  accesses.map((entry) => ({ doctor: entry.doctor, doctorName: entry.who, recordId: entry.recordId, time: entry.time, txHash: entry.txHash }));
