import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CryptoError,
  decryptBytes,
  decryptStream,
  encryptBytes,
  encryptJson,
  randomDataKey,
} from "../../lib/crypto";

// Three full chunks of 64 bytes: header 25 bytes, then chunks of 4 + 16 + 64 = 84 bytes.
const CHUNK = 64;
const HEADER = 25;
const CHUNK_BYTES = 4 + 16 + CHUNK;
const key = randomDataKey();
const plaintext = Uint8Array.from({ length: 3 * CHUNK }, (_, i) => i);
const envelope = await encryptBytes(key, plaintext, { chunkSize: CHUNK });
const header = envelope.subarray(0, HEADER);
const chunks = [0, 1, 2].map((i) =>
  envelope.subarray(HEADER + i * CHUNK_BYTES, HEADER + (i + 1) * CHUNK_BYTES),
);
const [c0, c1, c2] = chunks as [Uint8Array, Uint8Array, Uint8Array];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function failureCode(bytes: Uint8Array, dataKey = key): Promise<string> {
  try {
    await decryptBytes(dataKey, bytes);
  } catch (error) {
    assert.ok(error instanceof CryptoError, `expected a CryptoError, got ${error}`);
    return error.code;
  }
  return "decrypted";
}

describe("file envelope integrity", () => {
  it("decrypts the untouched envelope", async () => {
    assert.equal(envelope.length, HEADER + 3 * CHUNK_BYTES);
    assert.deepEqual(await decryptBytes(key, envelope), plaintext);
  });

  it("rejects every single-bit flip at every byte position, header included", async () => {
    for (let position = 0; position < envelope.length; position++) {
      const expected =
        position < 4 ? "bad-magic" : position === 4 ? "unsupported-version" : "tampered";
      for (let bit = 0; bit < 8; bit++) {
        const tampered = envelope.slice();
        tampered[position]! ^= 1 << bit;
        assert.equal(await failureCode(tampered), expected, `byte ${position}, bit ${bit}`);
      }
    }
  });

  it("reports every cut, at chunk boundaries and mid-chunk, as truncated", async () => {
    for (let length = 0; length < envelope.length; length++) {
      assert.equal(await failureCode(envelope.subarray(0, length)), "truncated", `cut at ${length}`);
    }
  });

  it("rejects reordered chunks", async () => {
    assert.equal(await failureCode(concat(header, c1, c0, c2)), "tampered");
    assert.equal(await failureCode(concat(header, c0, c2, c1)), "tampered");
  });

  it("rejects a duplicated chunk", async () => {
    assert.equal(await failureCode(concat(header, c0, c0, c1, c2)), "tampered");
    assert.equal(await failureCode(concat(header, c0, c1, c1, c2)), "tampered");
    assert.equal(await failureCode(concat(header, c0, c1, c2, c2)), "trailing-data");
  });

  it("rejects a dropped chunk", async () => {
    assert.equal(await failureCode(concat(header, c0, c1)), "truncated");
    assert.equal(await failureCode(concat(header, c0, c2)), "tampered");
    assert.equal(await failureCode(concat(header, c1, c2)), "tampered");
  });

  it("rejects data appended after the final chunk", async () => {
    assert.equal(await failureCode(concat(envelope, new Uint8Array([0]))), "trailing-data");
    assert.equal(await failureCode(concat(envelope, c0)), "trailing-data");
  });

  it("rejects the wrong key", async () => {
    assert.equal(await failureCode(envelope, randomDataKey()), "tampered");
  });

  it("rejects a header or chunk taken from another file under the same key", async () => {
    const other = await encryptBytes(key, plaintext, { chunkSize: CHUNK });
    const otherHeader = other.subarray(0, HEADER);
    const otherC1 = other.subarray(HEADER + CHUNK_BYTES, HEADER + 2 * CHUNK_BYTES);
    assert.equal(await failureCode(concat(otherHeader, c0, c1, c2)), "tampered");
    assert.equal(await failureCode(concat(header, c0, otherC1, c2)), "tampered");
  });

  it("rejects what is not a file envelope", async () => {
    assert.equal(await failureCode(new TextEncoder().encode("%PDF-1.7 ...")), "bad-magic");
    assert.equal(await failureCode(encryptJson(key, { title: "x" })), "bad-magic");
    const nextVersion = envelope.slice();
    nextVersion[4] = 2;
    assert.equal(await failureCode(nextVersion), "unsupported-version");
  });

  it("rejects a header that asks for huge chunks without buffering them", async () => {
    const hostile = envelope.slice();
    new DataView(hostile.buffer).setUint32(5, 0xffff_ffff);
    assert.equal(await failureCode(hostile), "tampered");
  });

  it("never yields a chunk that failed authentication", async () => {
    const tampered = envelope.slice();
    tampered[HEADER + 2 * CHUNK_BYTES + 30]! ^= 1;
    const received: number[] = [];
    await assert.rejects(async () => {
      for await (const part of decryptStream(key, [tampered])) received.push(...part);
    }, { name: "CryptoError", code: "tampered" });
    // The two verified chunks came through before the failure; the bad one did not.
    assert.deepEqual(received, [...plaintext.subarray(0, 2 * CHUNK)]);
  });

  it("stops pulling from the source when the consumer stops early", async () => {
    let closed = false;
    async function* source() {
      try {
        yield envelope.subarray(0, 150);
        yield envelope.subarray(150);
      } finally {
        closed = true;
      }
    }
    for await (const part of decryptStream(key, source())) {
      assert.equal(part.length, CHUNK);
      break;
    }
    assert.equal(closed, true);
  });
});
