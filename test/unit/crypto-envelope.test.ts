import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  CryptoError,
  DEFAULT_CHUNK_SIZE,
  decryptBytes,
  decryptStream,
  encryptBytes,
  encryptStream,
  encryptedSize,
  randomDataKey,
  sha256Hex,
} from "../../lib/crypto";

// Seeded PRNG (mulberry32) so a failing random slicing can be reproduced from the seed.
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const random = prng(seed);
  const words = new Uint32Array(Math.ceil(length / 4)).map(() => random() * 2 ** 32);
  return new Uint8Array(words.buffer, 0, length);
}

// Re-slices bytes at random boundaries, empty slices included, as a network would deliver them.
async function* randomSlices(bytes: Uint8Array, seed: number, maxSlice: number) {
  const random = prng(seed);
  let offset = 0;
  while (offset < bytes.length) {
    const size = Math.floor(random() * (maxSlice + 1));
    yield bytes.slice(offset, offset + size);
    offset += size;
  }
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

describe("file envelope round trip", () => {
  const key = randomDataKey();
  const cases: Array<[string, number, number]> = [
    ["empty", 0, 64],
    ["one byte", 1, 64],
    ["exactly one chunk", 64, 64],
    ["one chunk plus one byte", 65, 64],
    ["many chunks", 64 * 37 + 5, 64],
    ["many full chunks", 64 * 20, 64],
    ["exactly one default chunk", DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_SIZE],
    ["one default chunk plus one byte", DEFAULT_CHUNK_SIZE + 1, DEFAULT_CHUNK_SIZE],
  ];

  for (const [name, size, chunkSize] of cases) {
    it(`round-trips ${name} (${size} bytes, chunk ${chunkSize})`, async () => {
      const plaintext = pseudoRandomBytes(size, size);
      const envelope = await encryptBytes(key, plaintext, { chunkSize });
      assert.equal(envelope.length, encryptedSize(size, chunkSize));
      assert.deepEqual(await decryptBytes(key, envelope), plaintext);
      for (let seed = 1; seed <= 20; seed++) {
        const sliced = await collect(decryptStream(key, randomSlices(envelope, seed, chunkSize * 3)));
        assert.deepEqual(sliced, plaintext, `decrypt with slicing seed ${seed}`);
      }
    });
  }

  it("encrypts input that arrives in arbitrary slices", async () => {
    const plaintext = pseudoRandomBytes(64 * 9 + 3, 7);
    for (let seed = 1; seed <= 20; seed++) {
      const envelope = await collect(
        encryptStream(key, randomSlices(plaintext, seed, 150), { chunkSize: 64 }),
      );
      assert.equal(envelope.length, encryptedSize(plaintext.length, 64));
      assert.deepEqual(await decryptBytes(key, envelope), plaintext, `slicing seed ${seed}`);
    }
  });

  it("round-trips 25 MB with the default chunk size, streamed both ways", async () => {
    const size = 25 * 1024 * 1024;
    const plaintext = pseudoRandomBytes(size, 25);
    const envelope = await collect(encryptStream(key, randomSlices(plaintext, 1, 300_000)));
    assert.equal(envelope.length, encryptedSize(size));
    const hash = sha256.create();
    let received = 0;
    for await (const chunk of decryptStream(key, randomSlices(envelope, 2, 300_000))) {
      hash.update(chunk);
      received += chunk.length;
    }
    assert.equal(received, size);
    assert.equal(bytesToHex(hash.digest()), sha256Hex(plaintext));
  });

  it("gives the same plaintext a different ciphertext each time", async () => {
    const plaintext = pseudoRandomBytes(100, 3);
    const a = await encryptBytes(key, plaintext);
    const b = await encryptBytes(key, plaintext);
    assert.notDeepEqual(a, b);
  });

  it("encrypts an empty file as a header and one empty final chunk", async () => {
    const envelope = await encryptBytes(key, new Uint8Array(0));
    assert.equal(envelope.length, 25 + 4 + 16);
    assert.deepEqual([...envelope.subarray(25, 29)], [0x80, 0, 0, 0]);
  });

  it("rejects a chunk size out of range when encrypting", async () => {
    for (const chunkSize of [0, -1, 1.5, 16 * 1024 * 1024 + 1]) {
      await assert.rejects(encryptBytes(key, new Uint8Array(1), { chunkSize }), {
        name: "CryptoError",
        code: "invalid-input",
      });
    }
  });

  it("rejects a data key of the wrong length", async () => {
    await assert.rejects(encryptBytes(new Uint8Array(31), new Uint8Array(1)), CryptoError);
    await assert.rejects(decryptBytes(new Uint8Array(33), new Uint8Array(100)), CryptoError);
  });
});

describe("encryptedSize", () => {
  it("adds a 25-byte header and 20 bytes per chunk", () => {
    assert.equal(encryptedSize(0, 64), 45);
    assert.equal(encryptedSize(1, 64), 46);
    assert.equal(encryptedSize(64, 64), 25 + 20 + 64);
    assert.equal(encryptedSize(65, 64), 25 + 40 + 65);
    assert.equal(encryptedSize(10 * 1024 * 1024), 25 + 160 * 20 + 10 * 1024 * 1024);
  });

  it("rejects sizes that are not non-negative integers", () => {
    for (const size of [-1, 0.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      assert.throws(() => encryptedSize(size), { name: "CryptoError", code: "invalid-input" });
    }
  });
});
