import type { z } from "zod";
import type { allRecordsGrantSchema, sharedRecordSchema } from "@/lib/api/schemas";
import { getAllRecords, type BrowserChain } from "@/lib/chain/client";
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
 * "My patients": the server's list of patients who granted this doctor anything (GET /api/doctor/patients),
 * the records themselves from the chain (CID digest, author: what opening checks against), and for the
 * readable ones the encrypted metadata + the data key wrapped for the doctor (POST /api/records/query),
 * decrypted here. Newest records first.
 */
export async function loadMyPatients(chain: BrowserChain, key: UnlockedKey): Promise<PatientOfDoctor[]> {
  const { patients } = await api.getMyPatients();
  const now = nowSeconds();
  return Promise.all(
    patients.map(async (share): Promise<PatientOfDoctor> => {
      const canAdd = Boolean(share.allRecords?.granted && !isExpired(share.allRecords.expiresAt, now));
      const byId = new Map(share.records.map((record) => [record.recordId, record]));
      if (byId.size === 0) return { patient: share.patient, allRecords: share.allRecords, canAdd, entries: [] };
      const onChain = (await getAllRecords(chain, share.patient)).filter((record) => byId.has(record.recordId));
      const decrypted = await decryptEntries(onChain, key);
      const entries = decrypted.map((entry): SharedEntry => {
        const access = byId.get(entry.chain.recordId)!;
        const info: RecordAccess = { expiresAt: access.expiresAt, readable: access.readable, allRecords: access.allRecords };
        if (entry.status !== "ok") return { ...entry, reason: unavailableReason(access, entry.reason), access: info };
        return { ...entry, access: info };
      });
      return { patient: share.patient, allRecords: share.allRecords, canAdd, entries };
    }),
  );
}
