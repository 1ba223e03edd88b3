import { createSha256, decryptStream } from "@/lib/crypto";
import type { UnlockedKey } from "@/lib/keystore";
import * as api from "./api";
import { openJson, unwrapDataKey } from "./envelope";
import { recordMetadataSchema, type RecordMetadata } from "./metadata";
import { streamChunks } from "./streams";

export const INTEGRITY_MESSAGE = "This record failed its integrity check";

/** The decrypted file is not what was recorded (tampered, truncated, or another file). */
export class IntegrityError extends Error {
  override name = "IntegrityError";
  constructor(readonly cause?: unknown) {
    super(INTEGRITY_MESSAGE);
  }
}

export type OpenProgress = { step: "key" } | { step: "download"; received: number; total?: number } | { step: "verify" };

/**
 * Opens a record: fetch the wrapped key -> unwrap -> fetch the ciphertext -> decrypt it fully (each chunk
 * authenticates; nothing is returned until the whole file has) -> check the plaintext SHA-256 recorded in
 * the metadata. Throws IntegrityError for any tampering or mismatch: never a partial file.
 */
export async function openRecord(
  recordId: string,
  key: UnlockedKey,
  onProgress?: (progress: OpenProgress) => void,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; metadata: RecordMetadata }> {
  onProgress?.({ step: "key" });
  const stored = await api.getRecordKey(recordId);
  const dataKey = unwrapDataKey(stored.wrappedKey, key.secretKey);
  try {
    let metadata: RecordMetadata;
    try {
      metadata = openJson(recordMetadataSchema, dataKey, stored.encryptedMetadata);
    } catch (error) {
      throw new IntegrityError(error);
    }
    const response = await api.getRecordContent(recordId);
    const lengthHeader = Number(response.headers.get("content-length"));
    const total = Number.isFinite(lengthHeader) && lengthHeader > 0 ? lengthHeader : undefined;
    if (!response.body) throw new IntegrityError();
    let received = 0;
    const counted = (async function* () {
      for await (const chunk of streamChunks(response.body!)) {
        received += chunk.length;
        onProgress?.({ step: "download", received, total });
        yield chunk;
      }
    })();
    const parts: Uint8Array[] = [];
    const hash = createSha256();
    let size = 0;
    try {
      for await (const chunk of decryptStream(dataKey, counted)) {
        parts.push(chunk);
        hash.update(chunk);
        size += chunk.length;
      }
    } catch (error) {
      if (error instanceof api.ApiClientError) throw error;
      throw new IntegrityError(error);
    }
    onProgress?.({ step: "verify" });
    if (size !== metadata.size || hash.digestHex() !== metadata.sha256) throw new IntegrityError();
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    return { bytes, metadata };
  } finally {
    dataKey.fill(0);
  }
}
