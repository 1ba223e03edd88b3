import { bytesToBase64, encodeWrappedKey, encryptedSize, encryptJson, encryptStream, randomDataKey, wrapKey } from "@/lib/crypto";
import { addRecord, ChainError, type BrowserChain, type TxStatus } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import * as api from "./api";
import { ApiClientError } from "./api";
import type { RecordMetadata } from "./metadata";
import { countingChunks, streamChunks } from "./streams";

export type UploadStep = "encrypt" | "create" | "upload" | "sign" | "confirm" | "done";

export type UploadProgress =
  | { step: "encrypt"; done: number; total: number }
  | { step: "create" }
  | { step: "upload"; sent: number; total: number }
  | { step: "sign"; tx: TxStatus }
  | { step: "confirm"; recordId: string }
  | { step: "done"; recordId: string };

/** A failed upload, with where it failed and whether the server-side upload was cleaned up. */
export class UploadError extends Error {
  override name = "UploadError";
  constructor(
    message: string,
    readonly step: UploadStep,
    readonly cause?: unknown,
  ) {
    super(message);
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
 * The upload pipeline: new data key -> encrypt file (streamed, chunked envelope) and metadata -> create the
 * upload (key wrapped for the patient) -> PUT the ciphertext with progress -> addRecord in the wallet ->
 * confirm. A failure after the upload exists deletes it (unpins, drops the pending key) before throwing.
 */
export async function uploadRecord(
  args: { chain: BrowserChain; key: UnlockedKey; file: File; metadata: RecordMetadata },
  onProgress: (progress: UploadProgress) => void,
): Promise<string> {
  const { chain, key, file, metadata } = args;
  const dataKey = randomDataKey();
  try {
    // 1. Encrypt (the ciphertext is collected into a Blob; memory stays one chunk above the file size).
    const total = encryptedSize(file.size);
    onProgress({ step: "encrypt", done: 0, total: file.size });
    const parts: Uint8Array<ArrayBuffer>[] = [];
    const plaintext = countingChunks(streamChunks(file.stream()), (done) => onProgress({ step: "encrypt", done, total: file.size }));
    for await (const chunk of encryptStream(dataKey, plaintext)) parts.push(chunk as Uint8Array<ArrayBuffer>);
    const ciphertext = new Blob(parts, { type: "application/octet-stream" });
    if (ciphertext.size !== total) throw new UploadError("Encryption produced an unexpected size.", "encrypt");
    const encryptedMetadata = bytesToBase64(encryptJson(dataKey, metadata));
    const wrappedKey = encodeWrappedKey(wrapKey(dataKey, key.publicKey));

    // 2. Create the upload (nothing is on chain yet; a failure here leaves nothing behind).
    onProgress({ step: "create" });
    let upload: api.CreatedUpload;
    try {
      upload = await api.createUpload({ patient: key.address as `0x${string}`, size: total, encryptedMetadata, wrappedKeys: [{ recipient: key.address as `0x${string}`, wrappedKey }] });
    } catch (error) {
      throw new UploadError(describeApiFailure(error, "Preparing the upload"), "create", error);
    }
    if (ciphertext.size > upload.maxBytes) {
      await api.deleteUpload(upload.uploadId).catch(() => undefined);
      throw new UploadError("The encrypted file is larger than the server accepts.", "create");
    }

    const cleanUp = async () => {
      try {
        await api.deleteUpload(upload.uploadId);
        return true;
      } catch {
        return false;
      }
    };

    // 3. Send the ciphertext.
    let content: api.UploadedContent;
    try {
      onProgress({ step: "upload", sent: 0, total });
      content = await api.uploadContent(upload.uploadId, ciphertext, (sent, all) => onProgress({ step: "upload", sent, total: all }));
    } catch (error) {
      const cleaned = await cleanUp();
      throw new UploadError(`${describeApiFailure(error, "Sending the encrypted file")}${cleaned ? "" : " The unfinished upload will expire on its own."}`, "upload", error);
    }

    // 4. Record it on chain.
    let recordId: string;
    try {
      recordId = await addRecord(chain, key.address, content.cidDigest, content.codec, (tx) => onProgress({ step: "sign", tx }));
    } catch (error) {
      const cleaned = await cleanUp();
      const reason = error instanceof ChainError ? error.message : "The transaction failed.";
      const tail = cleaned ? "The encrypted file was removed and nothing was recorded." : "Nothing was recorded; the unfinished upload will expire on its own.";
      throw new UploadError(`${reason}. ${tail}`.replace("..", "."), "sign", error);
    }

    // 5. Confirm (the server checks the chain before it makes the key readable).
    onProgress({ step: "confirm", recordId });
    try {
      await api.confirmUpload(upload.uploadId, recordId);
    } catch (error) {
      throw new UploadError(`The record is on chain (id ${recordId}) but the server could not confirm it yet: ${error instanceof Error ? error.message : error}. Reload to retry.`, "confirm", error);
    }
    onProgress({ step: "done", recordId });
    return recordId;
  } finally {
    dataKey.fill(0);
  }
}
