import { ChainError, getGrants, grantRecordAccess, type BrowserChain, type ChainRecord, type TxStatus } from "@/lib/chain/client";
import { bytesToBase64, encodeWrappedKey, encryptBytes, encryptJson, randomDataKey, wrapKey } from "@/lib/crypto";
import { startBrowserEnvelopeThreads } from "@/lib/crypto/browser-envelope-threads";
import type { UnlockedKey } from "@/lib/keystore";
import { confirmRecordUpload, UploadError } from "@/lib/records/client/upload";
import * as recordsApi from "@/lib/records/client/api";
import { openJson, unwrapDataKey } from "@/lib/records/client/envelope";
import { recordMetadataSchema } from "@/lib/records/client/metadata";
import { wrapUploadForEmergency } from "@/lib/emergency/client/patient";
import { openRecord } from "@/lib/records/client/open";
import { checkDoctorKey, doctorLabel } from "@/lib/sharing/client/doctor-key";
import { putShareKeys } from "@/lib/sharing/client/api";
import { amendRecord } from "@/lib/rotation/client/chain";
import * as api from "@/lib/rotation/client/api";
import { allRecordsReadersOf, excludeFromNewRecord } from "./all-records-readers";
import { deletePendingReencryptUpload, loadPendingReencryptUpload, savePendingReencryptUpload } from "./pending-upload";

export type ReencryptStep = "read" | "encrypt" | "upload" | "amend" | "exclude" | "confirm" | "grant" | "retire" | "done";

export type ReencryptProgress =
  | { step: "read" }
  | { step: "encrypt" }
  | { step: "upload"; sent: number; total: number }
  | { step: "amend"; tx: TxStatus }
  | { step: "exclude"; doctor: string; tx?: TxStatus }
  | { step: "confirm"; recordId: string }
  | { step: "grant"; doctor: string; tx?: TxStatus }
  | { step: "retire" }
  | { step: "done"; newRecordId: string };

export interface ReencryptResult {
  recordId: string;
  newRecordId: string;
  /** Doctors given the new record by a per-record grant with the old record's expiry. */
  regranted: { doctor: string; expiresAt: number }[];
  /** Doctors holding a live all-records grant that covers the old record: the new record is theirs by that grant; its key is wrapped for them. */
  allRecordsReaders: string[];
  /** Doctors whose all-records grant excluded the old record: the new record is revoked for them too, and not wrapped for them. */
  excluded: string[];
  /** Readers who could not be carried over (their key does not verify), each with a reason. */
  skipped: string[];
  deletedKeys: number;
  unpinned: boolean;
}

/** A re-encryption that stopped at `step`; the old record (its ciphertext and keys) is kept whenever it stops. */
export class ReencryptError extends Error {
  override name = "ReencryptError";
  constructor(
    message: string,
    readonly step: ReencryptStep,
    readonly cause?: unknown,
  ) {
    super(message);
  }
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\.$/, "");

/** Per-record readers of the old record the chain still lets read it, other than through an all-records grant. */
async function perRecordReaders(chain: BrowserChain, patient: string, recordId: string, candidates: readonly string[]): Promise<{ doctor: string; expiresAt: number }[]> {
  const readers: { doctor: string; expiresAt: number }[] = [];
  for (const doctor of candidates) {
    const grant = (await getGrants(chain, patient, doctor)).find((entry) => entry.recordId === recordId);
    if (grant?.readable && !grant.allRecords) readers.push({ doctor, expiresAt: grant.expiresAt });
  }
  return readers;
}

/**
 * Re-encrypts one of the patient's records after a revocation, so that a key handed out before opens nothing:
 * 1. read: who holds a key on it (server), check the chain; download and decrypt it (CID and hashes checked);
 * 2. encrypt: a new data key, new ciphertext and metadata, wrapped for the patient and every doctor holding a live
 *    all-records grant that covers the old record (their keys checked against the chain); never for a doctor whose
 *    all-records grant excludes the old record (revoked from it), which is the revocation this follows up;
 * 3. upload: the new ciphertext (pinned, new CID); 4. amend: PatientContract.amendRecord -> the new record id;
 *    exclude: amendRecord does not carry an exclusion over, so each doctor excluded from the old record is revoked
 *    from the new one (revokeAccess, checked on chain) before anything else;
 * 5. confirm: the key store confirms the new record against the chain (and, in the patient's emergency scope,
 *    its key is wrapped for the emergency key, lib/emergency);
 * 6. grant: each doctor with a live per-record grant on the old record gets the new record's key and a grant on
 *    it with the same expiry (checked on chain afterwards);
 * 7. retire: the server deletes every key of the old record and unpins its ciphertext.
 * A failure before step 4 deletes the new upload; after it, the old record is kept and a second run resumes. The new
 * upload's id is kept on this device (IndexedDB) from just before step 4 until step 5 succeeds, so a run interrupted
 * in between (even by closing the page) is finished by the next one: it confirms that upload.
 */
export async function reencryptRecord(
  args: { chain: BrowserChain; key: UnlockedKey; record: ChainRecord },
  onProgress: (progress: ReencryptProgress) => void,
): Promise<ReencryptResult> {
  const { chain, key, record } = args;
  const patient = key.address.toLowerCase();
  const skipped: string[] = [];

  // 1. What the key store holds, who reads it now.
  onProgress({ step: "read" });
  let info: Awaited<ReturnType<typeof api.getReencryptRecord>>;
  let allRecordsReaders: { address: string; publicKey: Uint8Array }[];
  let excluded: string[];
  let perRecord: { doctor: string; expiresAt: number }[];
  try {
    info = await api.getReencryptRecord(record.recordId);
    const found = await allRecordsReadersOf(chain, patient, record.recordId);
    allRecordsReaders = found.readers;
    excluded = found.excluded;
    skipped.push(...found.skipped.map((entry) => entry.message));
    const others = info.readers.filter((reader) => reader !== patient && !allRecordsReaders.some((doctor) => doctor.address === reader));
    perRecord = await perRecordReaders(chain, patient, record.recordId, others);
  } catch (error) {
    throw new ReencryptError(`The record could not be read: ${reasonOf(error)}. Nothing changed.`, "read", error);
  }

  // Doctors revoked from the old record through their all-records grant must not gain the new one by it.
  const exclude = async (newRecordId: string, onFailure: string) => {
    try {
      await excludeFromNewRecord(chain, patient, newRecordId, excluded, (doctor, tx) => onProgress({ step: "exclude", doctor, tx }));
    } catch (error) {
      throw new ReencryptError(`A revoked doctor could not be revoked from the new record ${newRecordId}: ${reasonOf(error)}. ${onFailure}`, "exclude", error);
    }
  };

  let newRecordId: string;
  let dataKey: Uint8Array;
  let category: string;
  if (info.supersededBy !== "0") {
    // Resuming: the chain already shows the new version; its data key comes back through the patient's key.
    newRecordId = info.supersededBy;
    await exclude(newRecordId, "The old record is kept; run the re-encryption again to finish.");
    try {
      let stored: Awaited<ReturnType<typeof recordsApi.getRecordKey>>;
      try {
        stored = await recordsApi.getRecordKey(newRecordId);
      } catch (error) {
        // Interrupted between amendRecord and the key store's confirmation: this device kept the upload's id.
        const pending = await loadPendingReencryptUpload(patient, record.recordId);
        if (!pending) throw error;
        onProgress({ step: "confirm", recordId: newRecordId });
        await confirmRecordUpload({ uploadId: pending.uploadId, recordId: newRecordId });
        stored = await recordsApi.getRecordKey(newRecordId);
      }
      await deletePendingReencryptUpload(patient, record.recordId);
      dataKey = unwrapDataKey(stored.wrappedKey, key.secretKey);
      category = openJson(recordMetadataSchema, dataKey, stored.encryptedMetadata).category;
    } catch (error) {
      throw new ReencryptError(`The new version (record ${newRecordId}) is not in the key store yet: ${reasonOf(error)}. The old record is kept.`, "confirm", error);
    }
  } else {
    let opened: Awaited<ReturnType<typeof openRecord>>;
    try {
      opened = await openRecord(record, key);
    } catch (error) {
      throw new ReencryptError(`The record could not be opened: ${reasonOf(error)}. Nothing changed.`, "read", error);
    }

    // 2. New data key, new ciphertext.
    onProgress({ step: "encrypt" });
    category = opened.metadata.category;
    dataKey = randomDataKey();
    startBrowserEnvelopeThreads();
    const ciphertext = await encryptBytes(dataKey, opened.bytes);
    opened.bytes.fill(0);
    const readers = [{ address: patient, publicKey: key.publicKey }, ...allRecordsReaders];
    const wrappedKeys = readers.map((reader) => ({ recipient: reader.address as `0x${string}`, wrappedKey: encodeWrappedKey(wrapKey(dataKey, reader.publicKey)) }));

    // 3. Upload it.
    let upload: recordsApi.CreatedUpload;
    let content: recordsApi.UploadedContent;
    try {
      upload = await recordsApi.createUpload({ patient: patient as `0x${string}`, size: ciphertext.length, encryptedMetadata: bytesToBase64(encryptJson(dataKey, opened.metadata)), wrappedKeys });
    } catch (error) {
      dataKey.fill(0);
      throw new ReencryptError(`The new copy could not be prepared: ${reasonOf(error)}. Nothing changed.`, "upload", error);
    }
    try {
      onProgress({ step: "upload", sent: 0, total: ciphertext.length });
      content = await recordsApi.uploadContent(upload.uploadId, ciphertext as Uint8Array<ArrayBuffer>, (sent, total) => onProgress({ step: "upload", sent, total }));
    } catch (error) {
      await recordsApi.deleteUpload(upload.uploadId).catch(() => undefined);
      dataKey.fill(0);
      throw new ReencryptError(`The new copy could not be uploaded: ${reasonOf(error)}. Nothing changed.`, "upload", error);
    }

    // 4. Amend the record on chain; until the key store confirms it, this device remembers the upload.
    await savePendingReencryptUpload(patient, { recordId: record.recordId, uploadId: upload.uploadId }).catch(() => undefined);
    try {
      newRecordId = await amendRecord(chain, record.recordId, content.cidDigest, content.codec, (tx) => onProgress({ step: "amend", tx }));
    } catch (error) {
      dataKey.fill(0);
      const reason = error instanceof ChainError ? error.message.replace(/\.$/, "") : reasonOf(error);
      if (error instanceof ChainError && !error.mayBeOnChain) {
        await recordsApi.deleteUpload(upload.uploadId).catch(() => undefined);
        await deletePendingReencryptUpload(patient, record.recordId);
        throw new ReencryptError(`${reason}. Nothing changed: the new copy was removed and the record is as it was.`, "amend", error);
      }
      throw new ReencryptError(`${reason}. The amendment may still be recorded; the old record is kept. Run the re-encryption again in a few minutes to finish it.`, "amend", error);
    }
    try {
      await exclude(newRecordId, "The old record is kept; run the re-encryption again to finish.");
    } catch (error) {
      dataKey.fill(0);
      throw error;
    }

    // 5. Confirm the new record with the key store.
    onProgress({ step: "confirm", recordId: newRecordId });
    try {
      await confirmRecordUpload({ uploadId: upload.uploadId, recordId: newRecordId });
    } catch (error) {
      dataKey.fill(0);
      const cause = error instanceof UploadError && error.cause !== undefined ? error.cause : error;
      throw new ReencryptError(
        `The key store could not confirm the new record ${newRecordId} yet: ${reasonOf(cause)}. The old record is kept until the new one is confirmed: run the re-encryption again to finish it.`,
        "confirm",
        error,
      );
    }
    await deletePendingReencryptUpload(patient, record.recordId);
  }

  // The new version joins the patient's emergency access when its category is in scope (a warning otherwise).
  const emergency = await wrapUploadForEmergency(chain, key, newRecordId, category);
  if (emergency.warning) skipped.push(emergency.warning);

  // 6. Per-record readers keep their access: the new record's key, then a grant with the same expiry.
  const regranted: { doctor: string; expiresAt: number }[] = [];
  try {
    for (const { doctor, expiresAt } of perRecord) {
      onProgress({ step: "grant", doctor });
      const check = await checkDoctorKey(chain, doctor);
      if (!check.ok) {
        skipped.push(check.message);
        continue;
      }
      await putShareKeys(doctor, [{ recordId: newRecordId, wrappedKey: encodeWrappedKey(wrapKey(dataKey, check.publicKey)) }]);
      await grantRecordAccess(chain, doctor, newRecordId, expiresAt, (tx) => onProgress({ step: "grant", doctor, tx }));
      const onChain = (await getGrants(chain, patient, doctor)).find((grant) => grant.recordId === newRecordId);
      if (!onChain?.readable || onChain.expiresAt !== expiresAt) {
        throw new Error(`the chain does not show ${doctorLabel(check.doctor, doctor)}'s grant on the new record with the old expiry`);
      }
      regranted.push({ doctor, expiresAt });
    }
  } catch (error) {
    throw new ReencryptError(`A reader could not be given the new record: ${reasonOf(error)}. The old record is kept; run the re-encryption again to finish.`, "grant", error);
  } finally {
    dataKey.fill(0);
  }

  // 7. Forget the old record: its keys and its ciphertext.
  onProgress({ step: "retire" });
  let retired: Awaited<ReturnType<typeof api.retireRecord>>;
  try {
    retired = await api.retireRecord(record.recordId);
  } catch (error) {
    throw new ReencryptError(`The new record ${newRecordId} is ready, but the old copy could not be removed yet: ${reasonOf(error)}. Run the re-encryption again to finish.`, "retire", error);
  }
  onProgress({ step: "done", newRecordId });
  return {
    recordId: record.recordId,
    newRecordId,
    regranted,
    allRecordsReaders: allRecordsReaders.map((reader) => reader.address),
    excluded,
    skipped,
    deletedKeys: retired.deletedKeys,
    unpinned: retired.unpinned,
  };
}
