import nacl from "tweetnacl";
import { ByteReader, collectBytes, type ByteSource } from "./byte-reader";
import { assertLength } from "./encoding";
import { chunkOffset, sealChunks } from "./envelope-chunks";
import {
  DEFAULT_CHUNK_SIZE,
  WORD_LENGTH,
  chunkNonce,
  chunkWord,
  encodeHeader,
  encryptedSize,
  fileKey,
  isValidChunkSize,
} from "./envelope-format";
import { sealOnThreads, shouldUseThreads } from "./envelope-threads";
import { CryptoError } from "./errors";
import { yieldToEventLoop } from "./event-loop";
import { KEY_LENGTH } from "./keys";
import { SECRETBOX_OVERHEAD, keyedSecretbox, secretboxReady, type KeyedSecretbox } from "./secretbox";

export interface EncryptOptions {
  /** Plaintext bytes per chunk; the reader learns it from the header. */
  chunkSize?: number;
}

// Encrypts a file into the envelope described in envelope-format.ts, one chunk at a time, so
// memory stays at about one chunk whatever the file size.
export async function* encryptStream(
  dataKey: Uint8Array,
  source: ByteSource,
  options: EncryptOptions = {},
): AsyncIterable<Uint8Array> {
  assertLength(dataKey, KEY_LENGTH, "data key");
  const chunkSize = checkedChunkSize(options);
  const header = encodeHeader(chunkSize, nacl.randomBytes(16));
  const noncePrefix = header.subarray(9);
  const key = fileKey(dataKey, header);
  const reader = new ByteReader(source);
  let box: KeyedSecretbox | undefined;
  try {
    await secretboxReady();
    box = keyedSecretbox(key, chunkSize);
    yield header;
    for (let index = 0; ; index++) {
      const plaintext = await reader.read(chunkSize);
      // A chunk is final only once we know nothing follows; a full last chunk is allowed.
      const final = await reader.atEnd();
      const word = chunkWord(plaintext.length, final);
      // One allocation per chunk: the word, then the box sealed straight after it.
      const chunk = new Uint8Array(WORD_LENGTH + SECRETBOX_OVERHEAD + plaintext.length);
      new DataView(chunk.buffer).setUint32(0, word);
      box.sealInto(plaintext, chunkNonce(noncePrefix, index, word), chunk, WORD_LENGTH);
      plaintext.fill(0);
      yield chunk;
      if (final) return;
    }
  } finally {
    box?.close();
    key.fill(0);
    await reader.close();
  }
}

function checkedChunkSize(options: EncryptOptions): number {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!isValidChunkSize(chunkSize)) {
    throw new CryptoError("invalid-input", "chunk size out of range");
  }
  return chunkSize;
}

const PROGRESS_STEP_BYTES = 1024 * 1024;

export interface EncryptBytesOptions extends EncryptOptions {
  /** Plaintext bytes sealed so far, as runs of chunks finish (on this thread: each MiB, with a turn of the event loop). */
  onProgress?: (done: number) => void;
  /** Stops the encryption (it rejects with the signal's reason). */
  signal?: AbortSignal;
}

// The same envelope as encryptStream, written straight into one buffer of the final size: memory is the
// file plus its envelope. A large file is sealed by several threads when envelope-threads.ts has them
// (the same bytes); otherwise, or if a thread fails, on this one.
export async function encryptBytes(
  dataKey: Uint8Array,
  plaintext: Uint8Array,
  options: EncryptBytesOptions = {},
): Promise<Uint8Array> {
  assertLength(dataKey, KEY_LENGTH, "data key");
  const chunkSize = checkedChunkSize(options);
  if (!(plaintext instanceof Uint8Array)) {
    return collectBytes(encryptStream(dataKey, [plaintext], options));
  }
  await secretboxReady();
  const out = new Uint8Array(encryptedSize(plaintext.length, chunkSize));
  const header = encodeHeader(chunkSize, nacl.randomBytes(16));
  out.set(header);
  const noncePrefix = header.subarray(9);
  const key = fileKey(dataKey, header);
  try {
    if (shouldUseThreads(plaintext.length)) {
      try {
        await sealOnThreads(key, noncePrefix, chunkSize, plaintext, out, options);
        return out;
      } catch (error) {
        if (options.signal?.aborted) throw error;
        // A thread failed (the pool is gone now): this thread seals the whole file instead.
      }
    }
    // On this thread, a MiB at a time: a caller that shows progress gets it, and its page a turn of the
    // event loop, after each.
    const box = keyedSecretbox(key, chunkSize);
    try {
      const chunks = Math.max(1, Math.ceil(plaintext.length / chunkSize));
      const perRun = Math.max(1, Math.floor(PROGRESS_STEP_BYTES / chunkSize));
      for (let first = 0; first < chunks; first += perRun) {
        options.signal?.throwIfAborted();
        const end = Math.min(plaintext.length, (first + perRun) * chunkSize);
        const run = plaintext.subarray(first * chunkSize, end);
        sealChunks(box, noncePrefix, chunkSize, first, run, first + perRun >= chunks, out, chunkOffset(first, chunkSize));
        if (options.onProgress) {
          options.onProgress(end);
          await yieldToEventLoop();
        }
      }
    } finally {
      box.close();
    }
    return out;
  } finally {
    key.fill(0);
  }
}
