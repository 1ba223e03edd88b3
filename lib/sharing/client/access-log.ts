import { getDoctor, type BrowserChain } from "@/lib/chain/client";
import type { AccessEntry, AuditEntryResponse, GrantHistoryEntry } from "@/lib/api/schemas";
import { getAccessLog } from "./api";
import { doctorLabel } from "./doctor-key";

const INDEX_MASK = (1n << 96n) - 1n;

/** A record's title (decrypted in this browser) or, when it is unknown here, "Record #n". */
export function recordLabel(recordId: string, titles: ReadonlyMap<string, string>): string {
  const title = titles.get(recordId);
  if (title) return title;
  try {
    return `Record #${(BigInt(recordId) & INDEX_MASK) + 1n}`;
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
  grant: "the doctor holds a grant",
  forbidden: "not allowed",
  not_found: "unknown record",
  inactive: "the doctor is deactivated",
  no_grant: "no grant",
  expired: "the grant expired",
  no_access_log: "the opening was not logged on chain first",
};
const AUDIT_ACTIONS: Record<AuditEntryResponse["action"], string> = { query: "listed", key: "key requested", content: "file requested" };

/** "key requested: released (the doctor holds a grant)" for one audit row. */
export const describeAudit = (entry: AuditEntryResponse) =>
  `${AUDIT_ACTIONS[entry.action]}: ${entry.allowed ? "released" : "refused"} (${AUDIT_REASONS[entry.reason]})`;

/** "Granted", "Revoked all access", … for one history row. */
export const HISTORY_KINDS: Record<GrantHistoryEntry["kind"], string> = {
  granted: "Granted a record",
  all_granted: "Granted all records, including future ones",
  all_expiry_updated: "Changed the expiry of the all-records grant",
  revoked: "Revoked a record",
  all_revoked: "Revoked all access",
};
