import nacl from "tweetnacl";
import { ByteReader, collectBytes, type ByteSource } from "./byte-reader";
import { assertLength } from "./encoding";
import { chunkOffset, sealedRunLength, sealRunInPlace } from "./envelope-chunks";
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
import { readRun, sealOnThreads, shouldUseThreads, type PlaintextReader } from "./envelope-threads";
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

/** A file to encrypt: its size, and a way to read it from the start (again, if a thread fails midway). */
export interface SizedSource {
  size: number;
  open(): ByteSource;
}

// The same envelope as encryptStream, written straight into one buffer of the final size: memory is the
// file plus its envelope. A large file is sealed by several threads when envelope-threads.ts has them
// (the same bytes); otherwise, or if a thread fails, on this one.
export async function encryptBytes(
  dataKey: Uint8Array,
  plaintext: Uint8Array,
  options: EncryptBytesOptions = {},
): Promise<Uint8Array> {
  if (!(plaintext instanceof Uint8Array)) {
    assertLength(dataKey, KEY_LENGTH, "data key");
    return collectBytes(encryptStream(dataKey, [plaintext], options));
  }
  return encryptSized(dataKey, plaintext.length, () => bytesReader(plaintext), options);
}

// The envelope of a file read as it is sealed (a browser File's stream): each part of the file goes straight
// into the place it is sealed, so memory is the envelope alone, and the file's plaintext is never held
// whole. Rejects with CryptoError "source-changed" when the source does not deliver exactly `size` bytes.
export async function encryptFile(dataKey: Uint8Array, file: SizedSource, options: EncryptBytesOptions = {}): Promise<Uint8Array> {
  return encryptSized(dataKey, file.size, () => sourceReader(file), options);
}

/** Reads a byte array from the front. */
function bytesReader(plaintext: Uint8Array): PlaintextReader & { end(): void } {
  let position = 0;
  return {
    next: (into) => {
      into.set(plaintext.subarray(position, position + into.length));
      position += into.length;
    },
    end: () => undefined,
  };
}

/** Reads a file of a declared size; it must deliver that many bytes, no fewer and no more. */
function sourceReader(file: SizedSource): PlaintextReader & { end(): Promise<void> } {
  const reader = new ByteReader(file.open());
  const changed = () => new CryptoError("source-changed", "the file changed while it was being read");
  return {
    next: async (into) => {
      if ((await reader.readInto(into)) !== into.length) throw changed();
    },
    end: async () => {
      const atEnd = await reader.atEnd();
      await reader.close();
      if (!atEnd) throw changed();
    },
  };
}

async function encryptSized(
  dataKey: Uint8Array,
  length: number,
  open: () => PlaintextReader & { end(): void | Promise<void> },
  options: EncryptBytesOptions,
): Promise<Uint8Array> {
  assertLength(dataKey, KEY_LENGTH, "data key");
  const chunkSize = checkedChunkSize(options);
  await secretboxReady();
  const out = new Uint8Array(encryptedSize(length, chunkSize));
  const header = encodeHeader(chunkSize, nacl.randomBytes(16));
  out.set(header);
  const noncePrefix = header.subarray(9);
  const key = fileKey(dataKey, header);
  try {
    if (shouldUseThreads(length)) {
      const source = open();
      let readFailed = false;
      const noteFailure = (error: unknown) => {
        readFailed = true;
        throw error;
      };
      try {
        const plaintext: PlaintextReader = { next: (into) => Promise.resolve(source.next(into)).catch(noteFailure) };
        await sealOnThreads(key, noncePrefix, chunkSize, length, plaintext, out, options);
        await Promise.resolve(source.end()).catch(noteFailure);
        return out;
      } catch (error) {
        if (options.signal?.aborted || readFailed) throw error;
        // A thread failed (the pool is gone now): this thread seals the whole file instead, read again.
      }
    }
    await sealHere(key, noncePrefix, chunkSize, length, open(), out, options);
    return out;
  } finally {
    key.fill(0);
  }
}

/**
 * On this thread, a MiB at a time: each run is read into `out` where it is sealed, then sealed in place. A
 * caller that shows progress gets it, and its page a turn of the event loop, after each run. On failure `out`
 * is wiped (it may hold plaintext).
 */
async function sealHere(
  key: Uint8Array,
  noncePrefix: Uint8Array,
  chunkSize: number,
  length: number,
  plaintext: PlaintextReader & { end(): void | Promise<void> },
  out: Uint8Array,
  options: EncryptBytesOptions,
): Promise<void> {
  const box = keyedSecretbox(key, chunkSize);
  try {
    const chunks = Math.max(1, Math.ceil(length / chunkSize));
    const perRun = Math.max(1, Math.floor(PROGRESS_STEP_BYTES / chunkSize));
    for (let first = 0; first < chunks; first += perRun) {
      options.signal?.throwIfAborted();
      const endsFile = first + perRun >= chunks;
      const start = first * chunkSize;
      const end = Math.min(length, (first + perRun) * chunkSize);
      const runStart = chunkOffset(first, chunkSize);
      const run = out.subarray(runStart, runStart + sealedRunLength(end - start, chunkSize, endsFile));
      const count = endsFile ? Math.max(1, Math.ceil((end - start) / chunkSize)) : (end - start) / chunkSize;
      await readRun(plaintext, run, chunkSize, count, end - start);
      sealRunInPlace(box, noncePrefix, chunkSize, first, run, endsFile);
      if (options.onProgress) {
        options.onProgress(end);
        await yieldToEventLoop();
      }
    }
    await plaintext.end();
  } catch (error) {
    out.fill(0);
    throw error;
  } finally {
    box.close();
  }
}
