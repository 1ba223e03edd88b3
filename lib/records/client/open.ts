import type { TxStatus } from "@/lib/chain/client";
import { decryptStream, sha256HexOfFile } from "@/lib/crypto";
import { cidOfChunks } from "@/lib/ipfs/browser-cid";
import { cidChainParts } from "@/lib/ipfs/cid-chain-parts";
import type { UnlockedKey } from "@/lib/keystore";
import * as api from "./api";
import { openJson, unwrapDataKey } from "./envelope";
import { recordMetadataSchema, type RecordMetadata } from "./metadata";
import { streamChunks } from "./streams";

export const INTEGRITY_MESSAGE = "This record failed its integrity check";

/** The decrypted file is not what was recorded (tampered, truncated, or another file). */
export class IntegrityError extends Error {
  override name = "IntegrityError";
  constructor(
    readonly cause?: unknown,
    /** For developers and logs; the UI shows INTEGRITY_MESSAGE only. */
    readonly detail?: string,
  ) {
    super(INTEGRITY_MESSAGE);
  }
}

/** A doctor's opening starts with the access log transaction ("log"); then the key, the download, the checks. */
export type OpenProgress = { step: "log"; tx: TxStatus } | { step: "key" } | { step: "download"; received: number; total?: number } | { step: "verify" };

/** Why a reader who is not the patient may not open a record now (chain or server refusal). */
export type AccessRefusal = "revoked" | "expired" | "deactivated" | "not_logged";

/** The chain or the key store refused to open a record, with a message that says why. */
export class AccessRefusedError extends Error {
  override name = "AccessRefusedError";
  constructor(
    readonly reason: AccessRefusal,
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** What the chain says about the record: the file's CID as its sha2-256 digest and codec (PatientContract). */
export interface ChainRecordRef {
  recordId: string;
  cidDigest: string;
  codec: number;
}

const SHA2_256 = 0x12;

/** True when a CID string names exactly the file the chain recorded (same sha2-256 digest and codec). */
export function cidMatchesChain(cid: string, record: ChainRecordRef): boolean {
  try {
    const parts = cidChainParts(cid);
    return parts.hashCode === SHA2_256 && parts.codec === Number(record.codec) && parts.cidDigest === record.cidDigest.toLowerCase();
  } catch {
    return false;
  }
}

/** Total download size: Next drops content-length on streamed route responses, so the API sends x-content-length. */
function expectedLength(headers: Headers): number | undefined {
  for (const name of ["x-content-length", "content-length"]) {
    const value = headers.get(name);
    if (value === null || !/^\d+$/.test(value.trim())) continue;
    const length = Number(value);
    if (Number.isSafeInteger(length) && length > 0) return length;
  }
  return undefined;
}

/** What the key store hands a reader with a record: the CID it names, the data key wrapped for the reader, the sealed metadata. */
export interface StoredRecordKey {
  cid: string;
  wrappedKey: string;
  encryptedMetadata: string;
}

/**
 * Opens a record, trusting the chain rather than the server:
 * 1. the CID the key store names must be the chain's (digest + codec);
 * 2. the downloaded ciphertext must hash (UnixFS, as IPFS adds it) to that same CID;
 * 3. it must decrypt fully (each chunk authenticates; nothing is returned until the whole file has);
 * 4. the plaintext must have the size and SHA-256 recorded in the metadata.
 * Throws IntegrityError for any mismatch: never a partial file.
 */
export async function openRecord(
  record: ChainRecordRef,
  key: UnlockedKey,
  onProgress?: (progress: OpenProgress) => void,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; metadata: RecordMetadata }> {
  onProgress?.({ step: "key" });
  const stored = await api.getRecordKey(record.recordId);
  if (!cidMatchesChain(stored.cid, record)) throw new IntegrityError(undefined, `the key store names CID ${stored.cid}, which is not the chain's`);
  return downloadAndOpen(record, stored, await api.getRecordContent(record.recordId), key.secretKey, onProgress);
}

/**
 * Steps 2-4 of openRecord on the content response of a record whose stored key already passed step 1 (the
 * emergency opening fetches key and content from its own routes and ends here too).
 */
export async function downloadAndOpen(
  record: ChainRecordRef,
  stored: StoredRecordKey,
  response: Response,
  secretKey: Uint8Array,
  onProgress?: (progress: OpenProgress) => void,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; metadata: RecordMetadata }> {
  // Download the ciphertext (kept as received chunks: the CID must be checked before anything is decrypted).
  if (!response.body) throw new IntegrityError(undefined, "empty response");
  const total = expectedLength(response.headers);
  const ciphertext: Uint8Array[] = [];
  let received = 0;
  try {
    for await (const chunk of streamChunks(response.body)) {
      ciphertext.push(chunk);
      received += chunk.length;
      onProgress?.({ step: "download", received, total });
    }
  } catch {
    throw new api.ApiClientError(0, "network", "The download was interrupted. Check your connection and open the record again.");
  }

  onProgress?.({ step: "verify" });
  let downloadedCid: string;
  try {
    downloadedCid = await cidOfChunks(ciphertext);
  } catch (error) {
    throw new IntegrityError(error, "the download could not be hashed");
  }
  if (!cidMatchesChain(downloadedCid, record)) throw new IntegrityError(undefined, `the downloaded file is ${downloadedCid}, not the chain's CID`);

  const dataKey = unwrapDataKey(stored.wrappedKey, secretKey);
  try {
    let metadata: RecordMetadata;
    try {
      metadata = openJson(recordMetadataSchema, dataKey, stored.encryptedMetadata);
    } catch (error) {
      throw new IntegrityError(error, "the metadata does not decrypt");
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of decryptStream(dataKey, ciphertext)) {
        parts.push(chunk);
        size += chunk.length;
      }
    } catch (error) {
      parts.forEach((part) => part.fill(0));
      throw new IntegrityError(error, "the file does not decrypt");
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.length;
      part.fill(0);
    }
    if (size !== metadata.size || (await sha256HexOfFile(bytes)) !== metadata.sha256) {
      bytes.fill(0);
      throw new IntegrityError(undefined, "size or SHA-256 differs from the metadata");
    }
    return { bytes, metadata };
  } finally {
    dataKey.fill(0);
  }
}
