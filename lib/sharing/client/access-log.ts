import { getDoctor, type BrowserChain } from "@/lib/chain/client";
import type { AccessEntry, AuditEntryResponse, GrantHistoryEntry } from "@/lib/api/schemas";
import { getAccessLog } from "./api";
import { doctorLabel } from "./doctor-key";

const INDEX_MASK = (1n << 96n) - 1n;

/**
 * A record's title (decrypted in this browser) or, when it is unknown here, "Record #n". The last index of a
 * patient's range is never a record: the key audit writes releases of emergency key shares there
 * (lib/emergency/server/doctor-access.ts).
 */
export function recordLabel(recordId: string, titles: ReadonlyMap<string, string>): string {
  const title = titles.get(recordId);
  if (title) return title;
  try {
    const index = BigInt(recordId) & INDEX_MASK;
    if (index === INDEX_MASK) return "Emergency key (shares)";
    return `Record #${index + 1n}`;
  } catch {
    return `Record ${recordId}`;
  }
}

export interface AccessLogView {
  accesses: (AccessEntry & { who: string })[];
  history: (GrantHistoryEntry & { who: string })[];
  audit: (AuditEntryResponse & { who: string })[];
}

/** Labels for addresses: "You" for the patient, the doctor's name and specialty from the chain, else the address. */
async function labelsFor(chain: BrowserChain, patient: string, addresses: Iterable<string>): Promise<Map<string, string>> {
  const labels = new Map<string, string>([[patient, "You"]]);
  const unknown = [...new Set(addresses)].filter((address) => !labels.has(address));
  await Promise.all(
    unknown.map(async (address) => {
      const doctor = await getDoctor(chain, address).catch(() => undefined);
      labels.set(address, doctorLabel(doctor, address));
    }),
  );
  return labels;
}

/**
 * The patient's access log (RecordAccessed events), grant history (grant and revoke events) and the key
 * store's audit rows for their records, newest first, each with who it was (names read from the chain).
 */
export async function loadAccessLog(chain: BrowserChain, patient: string): Promise<AccessLogView> {
  const self = patient.toLowerCase();
  const log = await getAccessLog();
  const labels = await labelsFor(chain, self, [
    ...log.accesses.map((entry) => entry.doctor),
    ...log.history.map((entry) => entry.doctor),
    ...log.audit.map((entry) => entry.actor),
  ]);
  const who = (address: string) => labels.get(address) ?? address;
  const newestFirst = <T>(entries: T[], time: (entry: T) => number) => [...entries].sort((a, b) => time(b) - time(a));
  return {
    accesses: newestFirst(log.accesses, (entry) => entry.time).map((entry) => ({ ...entry, who: who(entry.doctor) })),
    history: newestFirst(log.history, (entry) => entry.time).map((entry) => ({ ...entry, who: who(entry.doctor) })),
    audit: newestFirst(log.audit, (entry) => Date.parse(entry.at) || 0).map((entry) => ({ ...entry, who: who(entry.actor) })),
  };
}

const AUDIT_REASONS: Record<AuditEntryResponse["reason"], string> = {
  patient: "you are the patient",
  grant: "holds a grant",
  forbidden: "not allowed",
  not_found: "unknown record",
  inactive: "doctor deactivated",
  no_grant: "no grant",
  expired: "grant expired",
  no_access_log: "opening not logged on chain first",
  emergency: "emergency access approved by administrators",
};
const AUDIT_ACTIONS: Record<AuditEntryResponse["action"], string> = { query: "Listing with its key", key: "Key", content: "Encrypted file" };

/** What was asked of the key store ("Key", "Encrypted file", "Listing with its key"). */
export const auditRequest = (entry: AuditEntryResponse) => AUDIT_ACTIONS[entry.action];

/** "Released (holds a grant)" or "Refused (grant expired)". */
export const auditDecision = (entry: AuditEntryResponse) => `${entry.allowed ? "Released" : "Refused"} (${AUDIT_REASONS[entry.reason]})`;

/** One history row as a sentence: "You" + verb + the record (if any) + preposition + the doctor. */
export const HISTORY_KINDS: Record<GrantHistoryEntry["kind"], { verb: string; preposition: string }> = {
  granted: { verb: "granted", preposition: "to" },
  all_granted: { verb: "granted all records, including future ones,", preposition: "to" },
  all_expiry_updated: { verb: "changed the expiry of the all-records grant", preposition: "held by" },
  revoked: { verb: "revoked", preposition: "from" },
  all_revoked: { verb: "revoked all access", preposition: "from" },
};
