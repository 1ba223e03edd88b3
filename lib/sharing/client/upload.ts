import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import type { RecordMetadata } from "@/lib/records/client/metadata";
import { uploadRecord, UploadError, type Recipient, type UploadProgress } from "@/lib/records/client/upload";
import { wrapUploadForEmergency } from "@/lib/emergency/client/patient";
import { findUploadRecipients, type SkippedRecipient } from "./recipients";

export type SharedUploadProgress = { step: "recipients"; found?: number; skipped?: SkippedRecipient[] } | UploadProgress;

/**
 * Uploads a record of `patient` (default: the key's own) readable by everyone who should read it:
 * 1. find the doctors holding a live all-records grant from the patient, with keys verified against the chain
 *    (a doctor who cannot be verified is skipped and reported in `skipped`, never wrapped for);
 * 2. the upload pipeline (lib/records/client/upload.ts), wrapping the data key for the patient, the uploader,
 *    those doctors and any `recipients` the caller adds.
 * Nothing is created before step 2, so a failure of step 1 leaves nothing behind.
 */
export async function uploadSharedRecord(
  args: { chain: BrowserChain; key: UnlockedKey; file: File; metadata: RecordMetadata; patient?: string; recipients?: readonly Recipient[] },
  onProgress: (progress: SharedUploadProgress) => void,
): Promise<{ recordId: string; sharedWith: string[]; skipped: SkippedRecipient[] }> {
  const patient = (args.patient ?? args.key.address).toLowerCase();

  // 1. Who else may read it: doctors with a live all-records grant, keys checked against the chain.
  onProgress({ step: "recipients" });
  let found: Awaited<ReturnType<typeof findUploadRecipients>>;
  try {
    found = await findUploadRecipients(args.chain, patient, { exclude: [args.key.address] });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UploadError(
      `Could not check which doctors hold an all-records grant (${reason.replace(/\.$/, "")}). Nothing was uploaded; try again.`,
      "recipients",
      error,
    );
  }
  const recipients = [...found.recipients, ...(args.recipients ?? [])];
  onProgress({ step: "recipients", found: recipients.length, skipped: found.skipped });

  // 2. The upload itself, wrapped for every reader.
  const recordId = await uploadRecord({ ...args, patient, recipients }, onProgress);
  // 3. The patient's own upload in their emergency scope is wrapped for their emergency key too (lib/emergency).
  const emergency: { warning?: string } = patient === args.key.address.toLowerCase() ? await wrapUploadForEmergency(args.chain, args.key, recordId, args.metadata.category) : { wrapped: false };
  const skipped = emergency.warning ? [...found.skipped, { address: patient, message: emergency.warning }] : found.skipped;
  return { recordId, sharedWith: recipients.map((recipient) => recipient.address), skipped };
}
