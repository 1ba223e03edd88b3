import nacl from "tweetnacl";
import { ByteReader, collectBytes, type ByteSource } from "./byte-reader";
import { assertLength } from "./encoding";
import {
  DEFAULT_CHUNK_SIZE,
  WORD_LENGTH,
  chunkNonce,
  chunkWord,
  encodeHeader,
  fileKey,
  isValidChunkSize,
} from "./envelope-format";
import { CryptoError } from "./errors";
import { KEY_LENGTH } from "./keys";

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
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!isValidChunkSize(chunkSize)) {
    throw new CryptoError("invalid-input", "chunk size out of range");
  }
  const header = encodeHeader(chunkSize, nacl.randomBytes(16));
  const noncePrefix = header.subarray(9);
  const key = fileKey(dataKey, header);
  const reader = new ByteReader(source);
  try {
    yield header;
    for (let index = 0; ; index++) {
      const plaintext = await reader.read(chunkSize);
      // A chunk is final only once we know nothing follows; a full last chunk is allowed.
      const final = await reader.atEnd();
      const word = chunkWord(plaintext.length, final);
      const box = nacl.secretbox(plaintext, chunkNonce(noncePrefix, index, word), key);
      const chunk = new Uint8Array(WORD_LENGTH + box.length);
      new DataView(chunk.buffer).setUint32(0, word);
      chunk.set(box, WORD_LENGTH);
      yield chunk;
      if (final) return;
    }
  } finally {
    key.fill(0);
    await reader.close();
  }
}

export function encryptBytes(
  dataKey: Uint8Array,
  plaintext: Uint8Array,
  options?: EncryptOptions,
): Promise<Uint8Array> {
  return collectBytes(encryptStream(dataKey, [plaintext], options));
}
