import { allAccessGrantees, getAllAccess, getGrants, revokeAccess, type BrowserChain, type RecordGrantOnChain, type TxStatus } from "@/lib/chain/client";
import type { Recipient } from "@/lib/records/client/upload";
import { findUploadRecipients, type SkippedRecipient } from "@/lib/sharing/client/recipients";

const grantOn = async (chain: BrowserChain, patient: string, doctor: string, recordId: string): Promise<RecordGrantOnChain | undefined> =>
  (await getGrants(chain, patient, doctor)).find((grant) => grant.recordId === recordId);

/**
 * The doctors holding an all-records grant from `patient`, split by what that grant does for the record being
 * re-encrypted:
 * - `readers`: the old record is readable through the all-records grant (getGrants: readable && allRecords); the
 *   new record is theirs by the same grant, so the new data key is wrapped for them (keys checked by
 *   findUploadRecipients; a doctor whose key does not verify is in `skipped`);
 * - `excluded`: the old record was revoked from their all-records grant (revokeAccess on that record; the grant
 *   may be live or expired). amendRecord does not carry the exclusion over, so the new record must be revoked for
 *   them too ({@link excludeFromNewRecord}) and its key is never wrapped for them. A live per-record grant they
 *   hold on the old record is carried over by the caller like any per-record reader's, after the exclusion.
 */
export async function allRecordsReadersOf(
  chain: BrowserChain,
  patient: string,
  recordId: string,
): Promise<{ readers: Recipient[]; skipped: SkippedRecipient[]; excluded: string[] }> {
  const oldGrants = new Map<string, RecordGrantOnChain | undefined>();
  const excluded: string[] = [];
  for (const doctor of await allAccessGrantees(chain, patient)) {
    if (doctor === patient.toLowerCase() || !(await getAllAccess(chain, patient, doctor)).granted) continue;
    const grant = await grantOn(chain, patient, doctor, recordId);
    oldGrants.set(doctor, grant);
    if (!grant?.allRecords) excluded.push(doctor);
  }
  const coversOld = (doctor: string) => {
    const grant = oldGrants.get(doctor.toLowerCase());
    return grant !== undefined && grant.readable && grant.allRecords;
  };
  const found = await findUploadRecipients(chain, patient);
  return {
    readers: found.recipients.filter((reader) => coversOld(reader.address)),
    skipped: found.skipped.filter((entry) => coversOld(entry.address)),
    excluded,
  };
}

/**
 * Revokes the new record `newRecordId` from the all-records grant of each doctor in `excluded` (they were revoked
 * from the record it amends), then checks on chain that the grant no longer covers it. Safe to run again: a
 * doctor whose grant already leaves the new record out is not sent a transaction.
 */
export async function excludeFromNewRecord(
  chain: BrowserChain,
  patient: string,
  newRecordId: string,
  excluded: readonly string[],
  onStatus?: (doctor: string, status?: TxStatus) => void,
): Promise<void> {
  for (const doctor of excluded) {
    if (!(await grantOn(chain, patient, doctor, newRecordId))?.allRecords) continue;
    onStatus?.(doctor);
    await revokeAccess(chain, doctor, [newRecordId], (status) => onStatus?.(doctor, status));
    if ((await grantOn(chain, patient, doctor, newRecordId))?.allRecords) {
      throw new Error(`the chain still shows ${doctor}'s all-records grant covering the new record`);
    }
  }
}
