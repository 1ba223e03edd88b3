// The file envelope as it was written before the move to libsodium (tweetnacl secretbox,
// collected chunk by chunk), kept only to show the before/after figures in the same run.
import nacl from "tweetnacl";
import {
  HEADER_LENGTH,
  WORD_LENGTH,
  chunkNonce,
  chunkWord,
  encodeHeader,
  fileKey,
  parseChunkWord,
  parseHeader,
} from "../../lib/crypto/envelope-format";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function legacyEncrypt(dataKey: Uint8Array, plaintext: Uint8Array, chunkSize = 65_536) {
  const header = encodeHeader(chunkSize, nacl.randomBytes(16));
  const key = fileKey(dataKey, header);
  const parts: Uint8Array[] = [header];
  for (let index = 0, start = 0; ; index++, start += chunkSize) {
    const end = Math.min(start + chunkSize, plaintext.length);
    const final = end === plaintext.length;
    const word = chunkWord(end - start, final);
    const chunkPlain = plaintext.slice(start, end); // the ByteReader copied every chunk
    const box = nacl.secretbox(chunkPlain, chunkNonce(header.subarray(9), index, word), key);
    const chunk = new Uint8Array(WORD_LENGTH + box.length);
    new DataView(chunk.buffer).setUint32(0, word);
    chunk.set(box, WORD_LENGTH);
    parts.push(chunk);
    if (final) return concat(parts);
  }
}

export function legacyDecrypt(dataKey: Uint8Array, envelope: Uint8Array): Uint8Array {
  const header = parseHeader(envelope.slice(0, HEADER_LENGTH));
  const key = fileKey(dataKey, header.bytes);
  const parts: Uint8Array[] = [];
  let offset = HEADER_LENGTH;
  for (let index = 0; ; index++) {
    const word = new DataView(envelope.buffer, envelope.byteOffset).getUint32(offset);
    const { length, final } = parseChunkWord(word);
    const box = envelope.slice(offset + WORD_LENGTH, offset + WORD_LENGTH + 16 + length);
    const plaintext = nacl.secretbox.open(box, chunkNonce(header.noncePrefix, index, word), key);
    if (!plaintext) throw new Error(`chunk ${index} failed`);
    parts.push(plaintext);
    offset += WORD_LENGTH + box.length;
    if (final) return concat(parts);
  }
}
