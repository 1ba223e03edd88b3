import { ByteReader, collectBytes, type ByteSource } from "./byte-reader";
import { assertLength } from "./encoding";
import {
  HEADER_LENGTH,
  TAG_LENGTH,
  WORD_LENGTH,
  chunkNonce,
  fileKey,
  parseChunkWord,
  parseHeader,
} from "./envelope-format";
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

// The same checks, in the same order, as decryptStream, reading the envelope in place and
// writing the plaintext into one buffer: memory is the envelope plus the file.
export async function decryptBytes(dataKey: Uint8Array, envelope: Uint8Array): Promise<Uint8Array> {
  assertLength(dataKey, KEY_LENGTH, "data key");
  if (!(envelope instanceof Uint8Array)) return collectBytes(decryptStream(dataKey, [envelope]));
  await secretboxReady();
  const header = parseHeader(envelope.slice(0, HEADER_LENGTH));
  const key = fileKey(dataKey, header.bytes);
  const view = new DataView(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  // Never larger than the envelope; the result is a view of the bytes actually written.
  const out = new Uint8Array(Math.max(0, envelope.length - HEADER_LENGTH));
  let written = 0;
  const box = keyedSecretbox(key, header.chunkSize);
  try {
    let offset = HEADER_LENGTH;
    for (let index = 0; ; index++) {
      if (offset + WORD_LENGTH > envelope.length) {
        throw new CryptoError("truncated", "final chunk missing");
      }
      const word = view.getUint32(offset);
      const { length, final } = parseChunkWord(word);
      if (final ? length > header.chunkSize : length !== header.chunkSize) {
        throw new CryptoError("tampered", `chunk ${index} has an invalid length`);
      }
      const boxStart = offset + WORD_LENGTH;
      const boxEnd = boxStart + TAG_LENGTH + length;
      if (boxEnd > envelope.length) throw new CryptoError("truncated", `chunk ${index} is cut`);
      const nonce = chunkNonce(header.noncePrefix, index, word);
      // Written into `out` only once the chunk authenticates.
      if (!box.openInto(envelope.subarray(boxStart, boxEnd), nonce, out, written)) {
        throw new CryptoError("tampered", `chunk ${index} failed authentication`);
      }
      if (final && boxEnd !== envelope.length) {
        throw new CryptoError("trailing-data", "bytes after the final chunk");
      }
      written += length;
      offset = boxEnd;
      if (final) return out.subarray(0, written);
    }
  } catch (error) {
    out.fill(0);
    throw error;
  } finally {
    box.close();
    key.fill(0);
  }
}
