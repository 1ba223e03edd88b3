import type { UnlockedKey } from "@/lib/keystore";
import type { EmergencyLogEntry } from "@/lib/emergency/schemas";
import * as api from "./api";
import { openNote } from "../note";

export type EmergencyLogView = EmergencyLogEntry & { note: string | null | undefined };

/** The patient's emergency accesses (newest first), each doctor's note opened with the patient's key. */
export async function loadEmergencyLog(key: UnlockedKey): Promise<EmergencyLogView[]> {
  const { entries } = await api.getEmergencyLog();
  return entries.map((entry) => {
    let note: string | null | undefined;
    if (entry.sealedNote) {
      try {
        note = openNote(entry.sealedNote, key.secretKey);
      } catch {
        note = null;
      }
    }
    return { ...entry, note };
  });
}

/** Whether an emergency access happened on the live key version (so renewing the key is worth offering). */
export const needsRenewal = (entries: readonly EmergencyLogView[], liveVersion: number) =>
  entries.some((entry) => entry.state === "approved" && entry.keyVersion === liveVersion && liveVersion > 0);
