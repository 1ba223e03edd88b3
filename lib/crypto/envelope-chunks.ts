import { CHUNK_OVERHEAD, HEADER_LENGTH, TAG_LENGTH, WORD_LENGTH, chunkNonce, chunkWord, parseChunkWord } from "./envelope-format";
import { CryptoError } from "./errors";
import type { KeyedSecretbox } from "./secretbox";

/*
 * Runs of consecutive envelope chunks (envelope-format.ts), sealed or opened under one file key. A whole
 * file is one run; encryptBytes and decryptBytes may also hand runs to other threads (envelope-threads.ts),
 * which is why a run knows the index of its first chunk (it is part of each chunk's nonce) and whether it
 * ends the file (only the file's last chunk carries the final bit).
 */

/** Where chunk `index` starts in an envelope: every chunk before the final one is full. */
export const chunkOffset = (index: number, chunkSize: number) => HEADER_LENGTH + index * (CHUNK_OVERHEAD + chunkSize);

/** Bytes of a sealed run of `length` plaintext bytes; a run that ends the file has at least one (final) chunk. */
export function sealedRunLength(length: number, chunkSize: number, endsFile: boolean): number {
  const chunks = endsFile ? Math.max(1, Math.ceil(length / chunkSize)) : length / chunkSize;
  return length + chunks * CHUNK_OVERHEAD;
}

/**
 * Opens `count` chunks (their layout already checked by envelopeLayout) starting at the beginning of `run`,
 * the first being chunk `firstIndex`, into `out` at `outOffset`. Returns the index of the first chunk that
 * does not authenticate, or -1 when all do.
 */
export function openChunks(
  box: KeyedSecretbox,
  noncePrefix: Uint8Array,
  firstIndex: number,
  count: number,
  run: Uint8Array,
  out: Uint8Array,
  outOffset: number,
): number {
  const view = new DataView(run.buffer, run.byteOffset, run.byteLength);
  let offset = 0;
  let written = outOffset;
  for (let i = 0; i < count; i++) {
    const word = view.getUint32(offset);
    const { length } = parseChunkWord(word);
    const boxStart = offset + WORD_LENGTH;
    const boxEnd = boxStart + TAG_LENGTH + length;
    if (!box.openInto(run.subarray(boxStart, boxEnd), chunkNonce(noncePrefix, firstIndex + i, word), out, written)) return firstIndex + i;
    written += length;
    offset = boxEnd;
  }
  return -1;
}

/** Where the plaintext of the `k`-th chunk of a run sits in that run as sealed (after its word and tag). */
export const runPlaintextOffset = (k: number, chunkSize: number) => k * (CHUNK_OVERHEAD + chunkSize) + CHUNK_OVERHEAD;

/**
 * Seals a run in place: `run` (sealedRunLength bytes) holds each chunk's plaintext where its box's data goes
 * (runPlaintextOffset), and leaves it holding the sealed chunks. Another thread's way to seal without a
 * second buffer: the plaintext is overwritten as it goes.
 */
export function sealRunInPlace(box: KeyedSecretbox, noncePrefix: Uint8Array, chunkSize: number, firstIndex: number, run: Uint8Array, endsFile: boolean): void {
  const view = new DataView(run.buffer, run.byteOffset, run.byteLength);
  for (let k = 0, offset = 0; offset < run.length; k++) {
    const length = Math.min(chunkSize, run.length - offset - CHUNK_OVERHEAD);
    const final = endsFile && offset + CHUNK_OVERHEAD + length === run.length;
    const word = chunkWord(length, final);
    view.setUint32(offset, word);
    // sealInto copies the plaintext in before it writes the box, so the two may overlap.
    const plaintext = run.subarray(offset + CHUNK_OVERHEAD, offset + CHUNK_OVERHEAD + length);
    box.sealInto(plaintext, chunkNonce(noncePrefix, firstIndex + k, word), run, offset + WORD_LENGTH);
    offset += CHUNK_OVERHEAD + length;
  }
}

/** What an envelope's chunk words say before any chunk is opened. */
export interface EnvelopeLayout {
  /** Chunks to authenticate, from the first. */
  chunks: number;
  /** Plaintext bytes in those chunks. */
  plaintextLength: number;
  /** The problem found after those chunks (reported only when all of them authenticate), if any. */
  error?: CryptoError;
}

/**
 * Reads the chunk words of `envelope` (whose header says `chunkSize`), checking what decryptStream checks
 * before each chunk's authentication, in the same order: a reader that then authenticates `chunks` chunks
 * and reports the first failure, else `error`, reports exactly what decryptStream would.
 */
export function envelopeLayout(envelope: Uint8Array, chunkSize: number): EnvelopeLayout {
  const view = new DataView(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  let offset = HEADER_LENGTH;
  let plaintextLength = 0;
  for (let index = 0; ; index++) {
    if (offset + WORD_LENGTH > envelope.length) {
      return { chunks: index, plaintextLength, error: new CryptoError("truncated", "final chunk missing") };
    }
    const { length, final } = parseChunkWord(view.getUint32(offset));
    if (final ? length > chunkSize : length !== chunkSize) {
      return { chunks: index, plaintextLength, error: new CryptoError("tampered", `chunk ${index} has an invalid length`) };
    }
    const boxEnd = offset + WORD_LENGTH + TAG_LENGTH + length;
    if (boxEnd > envelope.length) return { chunks: index, plaintextLength, error: new CryptoError("truncated", `chunk ${index} is cut`) };
    plaintextLength += length;
    offset = boxEnd;
    if (final) {
      // decryptStream reports trailing bytes after the final chunk has authenticated.
      const error = boxEnd !== envelope.length ? new CryptoError("trailing-data", "bytes after the final chunk") : undefined;
      return { chunks: index + 1, plaintextLength, ...(error ? { error } : {}) };
    }
  }
}
