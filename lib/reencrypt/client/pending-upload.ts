import { idbDelete, idbGet, idbPut } from "@/lib/keystore/idb";

/*
 * A re-encryption's new upload whose record may be on chain (amendRecord sent) but is not confirmed with the key
 * store yet, kept on this device (IndexedDB, like a pending key rotation) so that the next run, even after the
 * page was closed, confirms that upload instead of stopping at a new version the key store does not know.
 */
export interface PendingReencryptUpload {
  /** The record being re-encrypted (the old one). */
  recordId: string;
  uploadId: string;
}

const storageKey = (patient: string, recordId: string) => `reencrypt:${patient.toLowerCase()}:${recordId}`;

export async function loadPendingReencryptUpload(patient: string, recordId: string): Promise<PendingReencryptUpload | undefined> {
  const stored = (await idbGet(storageKey(patient, recordId)).catch(() => undefined)) as Partial<PendingReencryptUpload> | undefined;
  if (!stored || stored.recordId !== recordId || typeof stored.uploadId !== "string") return undefined;
  return { recordId, uploadId: stored.uploadId };
}

export async function savePendingReencryptUpload(patient: string, pending: PendingReencryptUpload): Promise<void> {
  await idbPut(storageKey(patient, pending.recordId), pending);
}

/** Forgets it (never throws: a leftover entry only makes a later run try a confirmation the server refuses). */
export async function deletePendingReencryptUpload(patient: string, recordId: string): Promise<void> {
  await idbDelete(storageKey(patient, recordId)).catch(() => undefined);
}
