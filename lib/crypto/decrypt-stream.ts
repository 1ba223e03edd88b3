import nacl from "tweetnacl";
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
  try {
    const header = parseHeader(await reader.read(HEADER_LENGTH));
    key = fileKey(dataKey, header.bytes);
    for (let index = 0; ; index++) {
      const wordBytes = await reader.read(WORD_LENGTH);
      if (wordBytes.length < WORD_LENGTH) throw new CryptoError("truncated", "final chunk missing");
      const word = new DataView(wordBytes.buffer).getUint32(0);
      const { length, final } = parseChunkWord(word);
      if (final ? length > header.chunkSize : length !== header.chunkSize) {
        throw new CryptoError("tampered", `chunk ${index} has an invalid length`);
      }
      const box = await reader.read(TAG_LENGTH + length);
      if (box.length < TAG_LENGTH + length) {
        throw new CryptoError("truncated", `chunk ${index} is cut`);
      }
      const plaintext = nacl.secretbox.open(box, chunkNonce(header.noncePrefix, index, word), key);
      if (!plaintext) throw new CryptoError("tampered", `chunk ${index} failed authentication`);
      if (final && !(await reader.atEnd())) {
        throw new CryptoError("trailing-data", "bytes after the final chunk");
      }
      if (plaintext.length > 0) yield plaintext;
      if (final) return;
    }
  } finally {
    key?.fill(0);
    await reader.close();
  }
}

export function decryptBytes(dataKey: Uint8Array, envelope: Uint8Array): Promise<Uint8Array> {
  return collectBytes(decryptStream(dataKey, [envelope]));
}
