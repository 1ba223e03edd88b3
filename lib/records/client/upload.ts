import { bytesToBase64, CryptoError, encodeWrappedKey, encryptFile, encryptedSize, encryptJson, publicKeyFromHex, randomDataKey, wrapKey } from "@/lib/crypto";
import { startBrowserEnvelopeThreads } from "@/lib/crypto/browser-envelope-threads";
import { addRecord, ChainError, encryptionKeyOf, type BrowserChain, type TxStatus } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import * as api from "./api";
import { ApiClientError } from "./api";
import type { RecordMetadata } from "./metadata";
import { streamChunks } from "./streams";

export type UploadStep = "recipients" | "encrypt" | "create" | "upload" | "sign" | "confirm" | "done";

/** Someone else the data key is wrapped for (a doctor holding an all-records grant from the patient). */
export interface Recipient {
  /** Lower-case 0x address. */
  address: string;
  /** X25519 public key, already checked against the chain by the caller. */
  publicKey: Uint8Array;
}

export type UploadProgress =
  | { step: "encrypt"; done: number; total: number }
  | { step: "create" }
  | { step: "upload"; sent: number; total: number }
  | { step: "sign"; tx: TxStatus }
  | { step: "confirm"; recordId: string; attempt?: number }
  | { step: "done"; recordId: string };

/** An upload whose record is on chain but not yet confirmed with the key store: retry with confirmRecordUpload. */
export interface PendingConfirmation {
  uploadId: string;
  recordId: string;
}

/** A failed upload, with where it failed (and, at "confirm", what to retry). */
export class UploadError extends Error {
  override name = "UploadError";
  constructor(
    message: string,
    readonly step: UploadStep,
    readonly cause?: unknown,
    readonly pending?: PendingConfirmation,
  ) {
    super(message);
  }
}

/** Pauses between confirmation attempts: 5 tries over about 15 s (plus the requests themselves). */
export const CONFIRM_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000];

/** 409 (the server does not see the record on chain yet), a network failure or a 502/503/504: worth retrying. */
function isTransientConfirmFailure(error: unknown): boolean {
  return error instanceof ApiClientError && [0, 409, 502, 503, 504].includes(error.status);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Confirms an upload as an on-chain record, retrying with backoff while the server does not see the
 * record yet or cannot be reached. Throws an UploadError (step "confirm", with `pending`) when it gives up;
 * the upload is never deleted here: the record is on chain and its file must stay.
 */
export async function confirmRecordUpload(
  pending: PendingConfirmation,
  options: { delaysMs?: readonly number[]; onAttempt?: (attempt: number) => void } = {},
): Promise<void> {
  const delays = options.delaysMs ?? CONFIRM_RETRY_DELAYS_MS;
  for (let attempt = 1; ; attempt++) {
    options.onAttempt?.(attempt);
    try {
      await api.confirmUpload(pending.uploadId, pending.recordId);
      return;
    } catch (error) {
      const delay = delays[attempt - 1];
      if (delay !== undefined && isTransientConfirmFailure(error)) {
        await sleep(delay);
        continue;
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new UploadError(
        `Your record is on chain (record id ${pending.recordId}), but the key store could not confirm it yet: ${reason} ` +
          "Your encrypted file is kept. Use “Retry confirmation” to try again.",
        "confirm",
        error,
        pending,
      );
    }
  }
}

function describeApiFailure(error: unknown, doing: string): string {
  if (error instanceof ApiClientError) {
    if (error.status === 503) return `The storage service is unavailable right now (${error.message}). Nothing was recorded; try again later.`;
    if (error.status === 413) return `The server refused the file as too large: ${error.message}`;
    if (error.status === 401) return "Your session has ended. Sign in again, then retry the upload.";
    return `${doing} failed: ${error.message}`;
  }
  return `${doing} failed: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * The upload pipeline: new data key -> encrypt the metadata and wrap the key (for the patient, the uploader and
 * every extra recipient) -> create the upload while the file is read and encrypted (chunked envelope, on the
 * browser's envelope threads when it has them; its size is known from the file's) -> PUT the ciphertext with
 * progress -> addRecord in the wallet -> confirm (with retries). Memory: the envelope (the file is read as it is sealed).
 *
 * `patient` defaults to the key's own address; a doctor holding an all-records grant passes the patient,
 * whose public key is then read from the chain (never from the server). `recipients` are further readers
 * whose keys the caller has checked against the chain (lib/sharing/client findUploadRecipients).
 *
 * A failure before the transaction has a hash (the encryption failing after the upload was created included), a wallet rejection, a refused simulation or a reverted
 * receipt deletes the upload (unpins, drops the pending keys) before throwing.
 * Once the transaction may be on chain the upload is never deleted: the server keeps received uploads
 * long enough for a late confirmation.
 */
export async function uploadRecord(
  args: { chain: BrowserChain; key: UnlockedKey; file: File; metadata: RecordMetadata; patient?: string; recipients?: readonly Recipient[] },
  onProgress: (progress: UploadProgress) => void,
): Promise<string> {
  const { chain, key, file, metadata } = args;
  startBrowserEnvelopeThreads();
  const patient = (args.patient ?? key.address).toLowerCase();
  const uploader = key.address.toLowerCase();

  // 1. Who can read it: the patient (their key from the chain when someone else uploads), the uploader, the extra recipients.
  let readers: Recipient[];
  try {
    readers = [{ address: uploader, publicKey: key.publicKey }];
    if (patient !== uploader) {
      const patientKey = await encryptionKeyOf(chain, patient);
      if (!patientKey) throw new UploadError("This patient has no encryption key on chain, so nothing can be stored for them.", "encrypt");
      readers.push({ address: patient, publicKey: publicKeyFromHex(patientKey) });
    }
    for (const recipient of args.recipients ?? []) {
      const address = recipient.address.toLowerCase();
      if (!readers.some((reader) => reader.address === address)) readers.push({ address, publicKey: recipient.publicKey });
    }
  } catch (error) {
    if (error instanceof UploadError) throw error;
    throw new UploadError(`The patient's key could not be read from the chain: ${error instanceof Error ? error.message : String(error)}`, "encrypt", error);
  }

  const dataKey = randomDataKey();
  try {
    // 2. The metadata and the wrapped keys need only the data key, and the envelope's size follows from the
    // file's size: the upload is created (nothing is on chain yet) while the file is being encrypted.
    const total = encryptedSize(file.size);
    const encryptedMetadata = bytesToBase64(encryptJson(dataKey, metadata));
    // The uploader's own entry first (as the server expects), then the patient's and the other readers'.
    const wrappedKeys = readers.map((reader) => ({ recipient: reader.address as `0x${string}`, wrappedKey: encodeWrappedKey(wrapKey(dataKey, reader.publicKey)) }));
    const creating = api.createUpload({ patient: patient as `0x${string}`, size: total, encryptedMetadata, wrappedKeys }).then(
      (upload) => ({ ok: true as const, upload }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    // A failed create stops the reading and the encryption: its error is the one reported.
    const stop = new AbortController();
    void creating.then((outcome) => !outcome.ok && stop.abort(new Error("the upload could not be created")));
    // 3. Encrypt the file as it is read (each part straight into the place it is sealed; the plaintext is never
    // held whole): on several threads where the browser has them (the page stays free meanwhile), else here
    // a MiB at a time.
    let ciphertext: Uint8Array<ArrayBuffer> | undefined;
    let encryptError: unknown;
    try {
      onProgress({ step: "encrypt", done: 0, total: file.size });
      ciphertext = (await encryptFile(
        dataKey,
        { size: file.size, open: () => streamChunks(file.stream()) },
        { signal: stop.signal, onProgress: (done) => onProgress({ step: "encrypt", done, total: file.size }) },
      )) as Uint8Array<ArrayBuffer>;
    } catch (error) {
      // Stopped by a failed create: the create's error is the one reported (below).
      if (!stop.signal.aborted) {
        const changed = error instanceof CryptoError && error.code === "source-changed";
        encryptError = changed ? new UploadError("The file changed while it was being read. Choose it again.", "encrypt", error) : error;
      }
    }

    if (encryptError === undefined && !stop.signal.aborted) onProgress({ step: "create" });
    const created = await creating;
    if (!created.ok) throw new UploadError(describeApiFailure(created.error, "Preparing the upload"), "create", created.error);
    const upload = created.upload;
    const cleanUp = async () => {
      try {
        await api.deleteUpload(upload.uploadId);
        return true;
      } catch {
        return false;
      }
    };
    if (encryptError !== undefined || ciphertext?.length !== total) {
      // Nothing is on chain: the upload just created goes again.
      await cleanUp();
      if (encryptError !== undefined) throw encryptError;
      throw new UploadError("Encryption produced an unexpected size.", "encrypt");
    }
    if (ciphertext.length > upload.maxBytes) {
      await cleanUp();
      throw new UploadError("The encrypted file is larger than the server accepts.", "create");
    }

    // 4. Send the ciphertext.
    let content: api.UploadedContent;
    try {
      onProgress({ step: "upload", sent: 0, total });
      content = await api.uploadContent(upload.uploadId, ciphertext, (sent, all) => onProgress({ step: "upload", sent, total: all }));
    } catch (error) {
      const cleaned = await cleanUp();
      throw new UploadError(`${describeApiFailure(error, "Sending the encrypted file")}${cleaned ? "" : " The unfinished upload will expire on its own."}`, "upload", error);
    }

    // 5. Record it on chain.
    let recordId: string;
    try {
      recordId = await addRecord(chain, patient, content.cidDigest, content.codec, (tx) => onProgress({ step: "sign", tx }));
    } catch (error) {
      const reason = (error instanceof ChainError ? error.message : "The transaction failed").replace(/\.$/, "");
      if (error instanceof ChainError && !error.mayBeOnChain) {
        // Certainly nothing on chain (rejected in the wallet, refused by the simulation, or reverted).
        const cleaned = await cleanUp();
        const tail = cleaned ? "The encrypted file was removed and nothing was recorded." : "Nothing was recorded; the unfinished upload will expire on its own.";
        throw new UploadError(`${reason}. ${tail}`, "sign", error);
      }
      // The transaction may still be mined: keep the upload so that the record never points at nothing.
      const hash = error instanceof ChainError && error.txHash ? ` (transaction ${error.txHash})` : "";
      throw new UploadError(
        `${reason}. The transaction may still be recorded${hash}, so your encrypted file is kept. ` +
          "Check “My records” in a few minutes before uploading it again.",
        "sign",
        error,
      );
    }

    // 6. Confirm (the server checks the chain before it makes the key readable), with retries.
    onProgress({ step: "confirm", recordId });
    await confirmRecordUpload({ uploadId: upload.uploadId, recordId }, { onAttempt: (attempt) => onProgress({ step: "confirm", recordId, attempt }) });
    onProgress({ step: "done", recordId });
    return recordId;
  } finally {
    dataKey.fill(0);
  }
}
