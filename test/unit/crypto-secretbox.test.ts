import { describe, it } from "node:test";
import assert from "node:assert/strict";
import nacl from "tweetnacl";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  decryptBytes,
  decryptJson,
  decryptStream,
  encryptBytes,
  encryptJson,
  encryptStream,
  randomDataKey,
} from "../../lib/crypto";
import { collectBytes } from "../../lib/crypto/byte-reader";
import {
  HEADER_LENGTH,
  WORD_LENGTH,
  chunkNonce,
  chunkWord,
  fileKey,
  parseChunkWord,
  parseHeader,
} from "../../lib/crypto/envelope-format";
import {
  keyedSecretbox,
  secretboxBackend,
  secretboxOpen,
  secretboxOpenInto,
  secretboxReady,
  secretboxSeal,
  secretboxSealInto,
} from "../../lib/crypto/secretbox";

// The envelope as tweetnacl wrote it before the move to libsodium, from the same header.
function tweetnaclEnvelope(dataKey: Uint8Array, header: Uint8Array, plaintext: Uint8Array) {
  const { chunkSize, noncePrefix } = parseHeader(header);
  const key = fileKey(dataKey, header);
  const parts: Uint8Array[] = [header];
  for (let index = 0, start = 0; ; index++, start += chunkSize) {
    const end = Math.min(start + chunkSize, plaintext.length);
    const final = end === plaintext.length;
    const word = chunkWord(end - start, final);
    const box = nacl.secretbox(plaintext.subarray(start, end), chunkNonce(noncePrefix, index, word), key);
    const chunk = new Uint8Array(WORD_LENGTH + box.length);
    new DataView(chunk.buffer).setUint32(0, word);
    chunk.set(box, WORD_LENGTH);
    parts.push(chunk);
    if (final) break;
  }
  return concat(parts);
}

function tweetnaclOpenEnvelope(dataKey: Uint8Array, envelope: Uint8Array): Uint8Array {
  const header = parseHeader(envelope.slice(0, HEADER_LENGTH));
  const key = fileKey(dataKey, header.bytes);
  const parts: Uint8Array[] = [];
  let offset = HEADER_LENGTH;
  for (let index = 0; ; index++) {
    const word = new DataView(envelope.buffer, envelope.byteOffset).getUint32(offset);
    const { length, final } = parseChunkWord(word);
    const box = envelope.subarray(offset + WORD_LENGTH, offset + WORD_LENGTH + 16 + length);
    const plaintext = nacl.secretbox.open(box, chunkNonce(header.noncePrefix, index, word), key);
    assert.ok(plaintext, `tweetnacl opens chunk ${index}`);
    parts.push(plaintext);
    offset += WORD_LENGTH + box.length;
    if (final) return concat(parts);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function bytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
}

describe("secretbox on libsodium (WebAssembly)", () => {
  it("runs on libsodium's WebAssembly build once ready (not its asm.js fallback)", async () => {
    await secretboxReady();
    assert.equal(secretboxBackend(), "wasm");
  });

  it("seals exactly what tweetnacl seals, and each opens the other's boxes", async () => {
    await secretboxReady();
    for (const length of [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 65_536, 100_003]) {
      const key = nacl.randomBytes(32);
      const nonce = nacl.randomBytes(24);
      const plaintext = bytes(length, length);
      const noble = secretboxSeal(plaintext, nonce, key);
      const tweet = nacl.secretbox(plaintext, nonce, key);
      assert.deepEqual(noble, tweet, `identical boxes for ${length} bytes`);
      assert.deepEqual(secretboxOpen(tweet, nonce, key), plaintext);
      assert.deepEqual(nacl.secretbox.open(noble, nonce, key), plaintext);
    }
  });

  it("seals into and opens into a place in a larger buffer, writing nothing when a box is forged", async () => {
    await secretboxReady();
    const key = nacl.randomBytes(32);
    const nonce = nacl.randomBytes(24);
    const plaintext = bytes(70_000, 9);
    const out = new Uint8Array(7 + 16 + plaintext.length + 5).fill(0xaa);
    secretboxSealInto(plaintext, nonce, key, out, 7);
    assert.deepEqual(out.subarray(7, 7 + 16 + plaintext.length), nacl.secretbox(plaintext, nonce, key));
    assert.deepEqual(out.subarray(0, 7), new Uint8Array(7).fill(0xaa), "nothing written before");
    assert.deepEqual(out.subarray(out.length - 5), new Uint8Array(5).fill(0xaa), "nothing written after");
    const box = out.slice(7, 7 + 16 + plaintext.length);
    const opened = new Uint8Array(plaintext.length + 3).fill(0xbb);
    assert.equal(secretboxOpenInto(box, nonce, key, opened, 3), true);
    assert.deepEqual(opened.subarray(3), plaintext);
    box[20]! ^= 1;
    const untouched = new Uint8Array(plaintext.length).fill(0xcc);
    assert.equal(secretboxOpenInto(box, nonce, key, untouched, 0), false);
    assert.ok(untouched.every((byte) => byte === 0xcc), "a forged box writes nothing");
    assert.throws(() => secretboxSealInto(plaintext, nonce, key, new Uint8Array(16), 0), RangeError);
  });

  it("refuses what tweetnacl refuses: a flipped bit, a wrong key, a short box", async () => {
    await secretboxReady();
    const key = nacl.randomBytes(32);
    const nonce = nacl.randomBytes(24);
    const box = secretboxSeal(bytes(100, 1), nonce, key);
    for (const index of [0, 15, 16, 115]) {
      const tampered = box.slice();
      tampered[index]! ^= 1;
      assert.equal(secretboxOpen(tampered, nonce, key), null);
      assert.equal(nacl.secretbox.open(tampered, nonce, key), null);
    }
    assert.equal(secretboxOpen(box, nonce, nacl.randomBytes(32)), null);
    assert.equal(secretboxOpen(box.subarray(0, 15), nonce, key), null);
  });
});

describe("keyedSecretbox: one key on the heap for many boxes", () => {
  it("seals and opens many boxes of different lengths in place exactly as tweetnacl does", async () => {
    await secretboxReady();
    const key = nacl.randomBytes(32);
    const keyed = keyedSecretbox(key, 4096);
    try {
      for (const length of [4096, 0, 17, 4095, 1, 4096]) {
        const nonce = nacl.randomBytes(24);
        const plaintext = bytes(length, length + 1);
        const box = new Uint8Array(16 + length);
        keyed.sealInto(plaintext, nonce, box, 0);
        assert.deepEqual(box, nacl.secretbox(plaintext, nonce, key), `box of ${length} bytes`);
        const opened = new Uint8Array(length);
        assert.equal(keyed.openInto(box, nonce, opened, 0), true);
        assert.deepEqual(opened, plaintext);
      }
    } finally {
      keyed.close();
    }
  });

  it("a forged box writes nothing and the next box still opens; over-long chunks and use after close throw", async () => {
    await secretboxReady();
    const key = nacl.randomBytes(32);
    const original = key.slice();
    const keyed = keyedSecretbox(key, 100);
    const nonce = nacl.randomBytes(24);
    const good = nacl.secretbox(bytes(100, 2), nonce, key);
    const forged = good.slice();
    forged[50]! ^= 1;
    const out = new Uint8Array(100).fill(0xcc);
    assert.equal(keyed.openInto(forged, nonce, out, 0), false);
    assert.ok(out.every((byte) => byte === 0xcc), "a forged box writes nothing");
    assert.equal(keyed.openInto(good, nonce, out, 0), true);
    assert.deepEqual(out, bytes(100, 2));
    assert.throws(() => keyed.sealInto(bytes(101, 1), nonce, new Uint8Array(200), 0), RangeError);
    assert.throws(() => keyed.sealInto(bytes(10, 1), nonce, new Uint8Array(20), 0), RangeError, "box does not fit");
    keyed.close();
    keyed.close(); // closing twice is harmless
    assert.throws(() => keyed.sealInto(bytes(10, 1), nonce, new Uint8Array(26), 0), /after close/);
    assert.deepEqual(key, original, "closing wipes the heap's copy, not the caller's key");
  });
});

describe("file envelope: libsodium and tweetnacl give the same bytes", () => {
  for (const [length, chunkSize] of [
    [0, 1024],
    [1, 1024],
    [1024, 1024],
    [1025, 1024],
    [200_000, 65_536],
    [3 * 65_536, 65_536],
  ] as const) {
    it(`${length} bytes in chunks of ${chunkSize}`, async () => {
      const dataKey = randomDataKey();
      const plaintext = bytes(length, 3);
      const envelope = await encryptBytes(dataKey, plaintext, { chunkSize });
      const reference = tweetnaclEnvelope(dataKey, envelope.slice(0, HEADER_LENGTH), plaintext);
      assert.deepEqual(envelope, reference, "encryptBytes writes the tweetnacl envelope");
      const streamed = await collectBytes(encryptStream(dataKey, [plaintext], { chunkSize }));
      const streamedReference = tweetnaclEnvelope(
        dataKey,
        streamed.slice(0, HEADER_LENGTH),
        plaintext,
      );
      assert.deepEqual(streamed, streamedReference, "encryptStream writes the tweetnacl envelope");
      // Records written with tweetnacl open with the new code, and the other way round.
      assert.deepEqual(await decryptBytes(dataKey, reference), plaintext);
      assert.deepEqual(await collectBytes(decryptStream(dataKey, [reference])), plaintext);
      assert.deepEqual(tweetnaclOpenEnvelope(dataKey, envelope), plaintext);
      assert.deepEqual(tweetnaclOpenEnvelope(dataKey, streamed), plaintext);
    });
  }

  it("metadata written with tweetnacl opens, and ours opens with tweetnacl", () => {
    const dataKey = randomDataKey();
    // metadata.ts: "EHRM" | 0x01 | nonce (24) | secretbox under HKDF(dataKey, "ehr/metadata/v1").
    const key = hkdf(sha256, dataKey, undefined, new TextEncoder().encode("ehr/metadata/v1"), 32);
    const ours = encryptJson(dataKey, { title: "Blood test", tags: ["lab"] });
    const opened = nacl.secretbox.open(ours.subarray(29), ours.subarray(5, 29), key);
    assert.ok(opened);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(opened)), {
      title: "Blood test",
      tags: ["lab"],
    });
    const nonce = nacl.randomBytes(24);
    const box = nacl.secretbox(new TextEncoder().encode('{"title":"Scan"}'), nonce, key);
    const theirs = concat([ours.subarray(0, 5), nonce, box]);
    assert.deepEqual(decryptJson(dataKey, theirs), { title: "Scan" });
  });
});
