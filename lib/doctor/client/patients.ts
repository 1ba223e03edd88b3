import type { z } from "zod";
import type { allRecordsGrantSchema, sharedRecordSchema } from "@/lib/api/schemas";
import { getRecordsPage, type BrowserChain, type ChainRecord } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { decryptEntries, type RecordEntry } from "@/lib/records/client/list";
import * as api from "./api";

type SharedRecord = z.infer<typeof sharedRecordSchema>;

/** How a doctor holds one record: until when (0 = no expiry), and whether it can be opened now. */
export interface RecordAccess {
  expiresAt: number;
  /** canRead on chain and unexpired by the server's clock, when the list was loaded. */
  readable: boolean;
  /** Covered by the patient's all-records grant. */
  allRecords: boolean;
}

/** A record shared with the doctor: the patient's list entry plus the doctor's access to it. */
export type SharedEntry = RecordEntry & { access: RecordAccess };

export interface PatientOfDoctor {
  patient: string;
  /** The all-records grant (null: never given); it may have expired or been revoked (granted false). */
  allRecords: z.infer<typeof allRecordsGrantSchema>;
  /** A live all-records grant: the doctor may add records for this patient. */
  canAdd: boolean;
  entries: SharedEntry[];
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export const isExpired = (expiresAt: number, now = nowSeconds()) => expiresAt !== 0 && expiresAt <= now;

/** "31 Dec 2026, 14:00" in the browser's locale and time zone. */
export const formatExpiry = (expiresAt: number) =>
  new Date(expiresAt * 1000).toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

function unavailableReason(access: SharedRecord, fallback: string): string {
  if (isExpired(access.expiresAt)) return `Your access to this record expired on ${formatExpiry(access.expiresAt)}.`;
  if (!access.readable) return "You cannot open this record now: the grant is no longer valid (expired, revoked, or your account is deactivated).";
  return fallback;
}

/**
 * How many patients a page of "My patients" shows ("Load more" adds as many again): ten, as the admin list of
 * doctors; each is several chain reads and its shared records decrypted.
 */
export const PATIENTS_PAGE_SIZE = 10;

export interface PatientsPage {
  /** Most recent grant first. */
  patients: PatientOfDoctor[];
  /** The cursor of the next page, null when this is the last. */
  next: string | null;
}

// The chain index of a record (its low 96 bits).
const indexOf = (recordId: string) => Number(BigInt(recordId) & ((1n << 96n) - 1n));

/** The patient's records with these ids from the chain, newest first: one getRecords per run of consecutive indexes. */
async function recordsOnChain(chain: BrowserChain, patient: string, recordIds: readonly string[]): Promise<ChainRecord[]> {
  const indexes = [...new Set(recordIds.map(indexOf))].sort((a, b) => a - b);
  const runs: Array<[number, number]> = [];
  for (const index of indexes) {
    const last = runs.at(-1);
    if (last && last[0] + last[1] === index) last[1]++;
    else runs.push([index, 1]);
  }
  const pages = await Promise.all(runs.map(([offset, limit]) => getRecordsPage(chain, patient, offset, limit)));
  const wanted = new Set(recordIds);
  return pages.flat().filter((record) => wanted.has(record.recordId)).reverse();
}

/**
 * One page of "My patients": the server's page of patients who granted this doctor anything (GET
 * /api/doctor/patients, most recent grant first), the records each grant covers from the chain (CID digest,
 * author: what opening checks against; only those records, not the patient's whole history), and for the
 * readable ones the encrypted metadata + the data key wrapped for the doctor (one POST /api/records/query for
 * the page), decrypted here. Newest records first. What it costs follows the page, not how many patients ever
 * granted the doctor.
 */
export async function loadMyPatientsPage(chain: BrowserChain, key: UnlockedKey, page: { cursor?: string; limit?: number } = {}): Promise<PatientsPage> {
  const { patients, next } = await api.getMyPatients({ limit: page.limit ?? PATIENTS_PAGE_SIZE, cursor: page.cursor });
  const now = nowSeconds();
  const onChain = await Promise.all(patients.map((share) => (share.records.length === 0 ? [] : recordsOnChain(chain, share.patient, share.records.map((record) => record.recordId)))));
  const decrypted = await decryptEntries(onChain.flat(), key);
  let offset = 0;
  return {
    next,
    patients: patients.map((share, i): PatientOfDoctor => {
      const canAdd = Boolean(share.allRecords?.granted && !isExpired(share.allRecords.expiresAt, now));
      const byId = new Map(share.records.map((record) => [record.recordId, record]));
      const mine = decrypted.slice(offset, (offset += onChain[i]!.length));
      const entries = mine.map((entry): SharedEntry => {
        const access = byId.get(entry.chain.recordId)!;
        const info: RecordAccess = { expiresAt: access.expiresAt, readable: access.readable, allRecords: access.allRecords };
        if (entry.status !== "ok") return { ...entry, reason: unavailableReason(access, entry.reason), access: info };
        return { ...entry, access: info };
      });
      return { patient: share.patient, allRecords: share.allRecords, canAdd, entries };
    }),
  };
}
