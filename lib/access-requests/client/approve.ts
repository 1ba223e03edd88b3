import type { AccessRequest } from "@/lib/access-requests/schemas";
import type { ExpiryChoice } from "@/lib/sharing/client";

/** The ids of the records a request covers: those whose (decrypted) category it names; all when it asks for all. */
export function recordsForRequest(request: Pick<AccessRequest, "allRecords" | "categories">, records: ReadonlyArray<{ recordId: string; category: string }>): string[] {
  const wanted = new Set<string>(request.categories);
  return records.filter((record) => request.allRecords || wanted.has(record.category)).map((record) => record.recordId);
}

const pad = (value: number) => String(value).padStart(2, "0");

/** The proposed expiry as the grant form's choice: none, or its day (the grant then lasts to the end of that day). */
export function expiryChoiceFor(proposedExpiry: number): ExpiryChoice {
  if (proposedExpiry === 0) return { kind: "never" };
  const day = new Date(proposedExpiry * 1000);
  return { kind: "date", date: `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}` };
}

/** Tells the pending-count badge that the patient's requests changed (approved, declined). */
export const REQUESTS_CHANGED_EVENT = "ehr:access-requests-changed";
export const announceRequestsChanged = () => window.dispatchEvent(new Event(REQUESTS_CHANGED_EVENT));
