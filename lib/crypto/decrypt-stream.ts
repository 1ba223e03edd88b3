import { ByteReader, collectBytes, type ByteSource } from "./byte-reader";
import { envelopeLayout, openChunks, type EnvelopeLayout } from "./envelope-chunks";
import { assertLength } from "./encoding";
import {
  HEADER_LENGTH,
  TAG_LENGTH,
  WORD_LENGTH,
  chunkNonce,
  fileKey,
  parseChunkWord,
  parseHeader,
  type EnvelopeHeader,
} from "./envelope-format";
import { openOnThreads, shouldUseThreads } from "./envelope-threads";
import { CryptoError } from "./errors";
import { KEY_LENGTH } from "./keys";
import { keyedSecretbox, secretboxReady, type KeyedSecretbox } from "./secretbox";

// Decrypts an envelope delivered in arbitrary slices. Each chunk is yielded only after it has
// authenticated, but a failure in a later chunk surfaces after earlier chunks were yielded: treat
// the output as untrusted until the iteration completes without throwing (the UI buffers it all).
export async function* decryptStream(
  dataKey: Uint8Array,
  source: ByteSource,
): AsyncIterable<Uint8Array> {
  assertLength(dataKey, KEY_LENGTH, "data key");
  const reader = new ByteReader(source);
  let key: Uint8Array | undefined;
  let box: KeyedSecretbox | undefined;
  try {
    await secretboxReady();
    const header = parseHeader(await reader.read(HEADER_LENGTH));
    key = fileKey(dataKey, header.bytes);
    box = keyedSecretbox(key, header.chunkSize);
    for (let index = 0; ; index++) {
      const wordBytes = await reader.read(WORD_LENGTH);
      if (wordBytes.length < WORD_LENGTH) throw new CryptoError("truncated", "final chunk missing");
      const word = new DataView(wordBytes.buffer).getUint32(0);
      const { length, final } = parseChunkWord(word);
      if (final ? length > header.chunkSize : length !== header.chunkSize) {
        throw new CryptoError("tampered", `chunk ${index} has an invalid length`);
      }
      const sealed = await reader.read(TAG_LENGTH + length);
      if (sealed.length < TAG_LENGTH + length) {
        throw new CryptoError("truncated", `chunk ${index} is cut`);
      }
      const plaintext = new Uint8Array(length);
      const nonce = chunkNonce(header.noncePrefix, index, word);
      if (!box.openInto(sealed, nonce, plaintext, 0)) throw new CryptoError("tampered", `chunk ${index} failed authentication`);
      if (final && !(await reader.atEnd())) {
        throw new CryptoError("trailing-data", "bytes after the final chunk");
      }
      if (plaintext.length > 0) yield plaintext;
      if (final) return;
    }
  } finally {
    box?.close();
    key?.fill(0);
    await reader.close();
  }
}

// The same checks as decryptStream, reporting the same first problem, reading the envelope in place and
// writing the plaintext into one buffer: memory is the envelope plus the file. The chunk words are read
// first (envelopeLayout); then the chunks are opened, by several threads for a large file when
// envelope-threads.ts has them (on this one otherwise, or if a thread fails).
export async function decryptBytes(dataKey: Uint8Array, envelope: Uint8Array): Promise<Uint8Array> {
  assertLength(dataKey, KEY_LENGTH, "data key");
  if (!(envelope instanceof Uint8Array)) return collectBytes(decryptStream(dataKey, [envelope]));
  await secretboxReady();
  const header = parseHeader(envelope.slice(0, HEADER_LENGTH));
  const layout = envelopeLayout(envelope, header.chunkSize);
  const key = fileKey(dataKey, header.bytes);
  const out = new Uint8Array(layout.plaintextLength);
  try {
    const failed = await openAll(key, header, envelope, layout, out);
    if (failed >= 0) throw new CryptoError("tampered", `chunk ${failed} failed authentication`);
    if (layout.error) throw layout.error;
    return out;
  } catch (error) {
    out.fill(0);
    throw error;
  } finally {
    key.fill(0);
  }
}

/** Opens the layout's chunks into `out`; the index of the first that does not authenticate, or -1. */
async function openAll(key: Uint8Array, header: EnvelopeHeader, envelope: Uint8Array, layout: EnvelopeLayout, out: Uint8Array): Promise<number> {
  if (shouldUseThreads(envelope.length)) {
    try {
      return await openOnThreads(key, header.noncePrefix, header.chunkSize, envelope, layout.chunks, layout.plaintextLength, out);
    } catch {
      // A thread failed (the pool is gone now): this thread opens the whole file instead.
    }
  }
  const box = keyedSecretbox(key, header.chunkSize);
  try {
    return openChunks(box, header.noncePrefix, 0, layout.chunks, envelope.subarray(HEADER_LENGTH), out, 0);
  } finally {
    box.close();
  }
}
