import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { CryptoError } from "./errors";
import { SECRETBOX_KEY_LENGTH, SECRETBOX_NONCE_LENGTH, SECRETBOX_OVERHEAD } from "./secretbox";

/*
 * File envelope, version 1 (all integers big-endian):
 *
 *   header (25 bytes)  magic "EHRF" (4) | version 0x01 (1) | chunkSize uint32 (4)
 *                      | noncePrefix (16, random)
 *   chunk i = 0..n-1   word uint32 (4) | secretbox(plaintext_i) (16 + length), see secretbox.ts
 *       word        = final << 31 | length   (non-final: length == chunkSize; final: 0..chunkSize)
 *       nonce_i     = noncePrefix (16) | i uint32 (4) | word (4)
 *       key         = HKDF-SHA256(ikm = dataKey, salt = header, info = "ehr/file-envelope/v1")
 *
 * Exactly one final chunk, last; an empty file is one empty final chunk.
 * - The index in the nonce catches reordering, dropping and duplication; the final bit catches
 *   truncation at a chunk boundary and extension.
 * - The header is authenticated by the key derivation: any change to it gives another key, so the
 *   first chunk fails. We chose this over a header hash in the nonce because the nonce has no room
 *   left, and because it also gives every file its own subkey, separate from the metadata key.
 * - The clear-text word (also bound through the nonce) makes the stream self-delimiting, so a cut
 *   mid-chunk reads as "truncated" and bytes after the final chunk as "trailing-data", instead of
 *   both looking like a forged final chunk.
 */
export const MAGIC = new Uint8Array([0x45, 0x48, 0x52, 0x46]); // "EHRF"
export const VERSION = 1;
export const HEADER_LENGTH = 25;
export const WORD_LENGTH = 4;
export const TAG_LENGTH = SECRETBOX_OVERHEAD;
export const CHUNK_OVERHEAD = WORD_LENGTH + TAG_LENGTH;
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
// Upper bound so a hostile header cannot make a reader buffer gigabytes for one chunk.
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
const FINAL_BIT = 0x8000_0000;
const MAX_CHUNK_INDEX = 0xffff_ffff;
const FILE_KEY_INFO = new TextEncoder().encode("ehr/file-envelope/v1");

export interface EnvelopeHeader {
  bytes: Uint8Array;
  chunkSize: number;
  noncePrefix: Uint8Array;
}

export function isValidChunkSize(chunkSize: number): boolean {
  return Number.isInteger(chunkSize) && chunkSize >= 1 && chunkSize <= MAX_CHUNK_SIZE;
}

export function encodeHeader(chunkSize: number, noncePrefix: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(HEADER_LENGTH);
  bytes.set(MAGIC);
  bytes[4] = VERSION;
  new DataView(bytes.buffer).setUint32(5, chunkSize);
  bytes.set(noncePrefix, 9);
  return bytes;
}

// `bytes` may be short when the input ended early; report the most specific problem.
export function parseHeader(bytes: Uint8Array): EnvelopeHeader {
  if (bytes.length >= MAGIC.length && MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new CryptoError("bad-magic", "not an encrypted file envelope");
  }
  if (bytes.length > 4 && bytes[4] !== VERSION) {
    throw new CryptoError("unsupported-version", `envelope version ${bytes[4]}`);
  }
  if (bytes.length < HEADER_LENGTH) throw new CryptoError("truncated", "incomplete header");
  const chunkSize = new DataView(bytes.buffer, bytes.byteOffset).getUint32(5);
  if (!isValidChunkSize(chunkSize)) throw new CryptoError("tampered", "chunk size out of range");
  return { bytes, chunkSize, noncePrefix: bytes.subarray(9, HEADER_LENGTH) };
}

export function fileKey(dataKey: Uint8Array, header: Uint8Array): Uint8Array {
  return hkdf(sha256, dataKey, header, FILE_KEY_INFO, SECRETBOX_KEY_LENGTH);
}

export function chunkWord(length: number, final: boolean): number {
  return ((final ? FINAL_BIT : 0) | length) >>> 0;
}

export function parseChunkWord(word: number): { length: number; final: boolean } {
  return { length: word & ~FINAL_BIT, final: (word & FINAL_BIT) !== 0 };
}

export function chunkNonce(noncePrefix: Uint8Array, index: number, word: number): Uint8Array {
  if (index > MAX_CHUNK_INDEX) throw new CryptoError("invalid-input", "too many chunks");
  const nonce = new Uint8Array(SECRETBOX_NONCE_LENGTH);
  nonce.set(noncePrefix);
  const view = new DataView(nonce.buffer);
  view.setUint32(16, index);
  view.setUint32(20, word);
  return nonce;
}

// Ciphertext size for a plaintext size: the browser shows progress, the server checks limits.
export function encryptedSize(plaintextSize: number, chunkSize = DEFAULT_CHUNK_SIZE): number {
  if (!Number.isSafeInteger(plaintextSize) || plaintextSize < 0) {
    throw new CryptoError("invalid-input", "plaintext size must be a non-negative integer");
  }
  if (!isValidChunkSize(chunkSize)) {
    throw new CryptoError("invalid-input", "chunk size out of range");
  }
  const chunks = Math.max(1, Math.ceil(plaintextSize / chunkSize));
  return HEADER_LENGTH + chunks * CHUNK_OVERHEAD + plaintextSize;
}
