import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { describe, it } from "node:test";
import { CryptoError, decryptBytes, decryptStream, encryptBytes, randomDataKey, unwrapKey, wrapKey, generateKeyPair } from "@/lib/crypto";

/*
 * The record envelope under random damage: 1,000 single-bit flips spread over header, chunk words, nonces'
 * inputs, tags and bodies all fail, with no plaintext returned (whole-buffer and streaming); a wrong key
 * fails; 100,000 envelopes never repeat a nonce prefix. Needs no stack.
 */
const CHUNK = 256;
const key = randomDataKey();
const plaintext = Uint8Array.from({ length: 3 * CHUNK + 100 }, (_, i) => (i * 7) & 0xff);
const envelope = await encryptBytes(key, plaintext, { chunkSize: CHUNK });

async function refused(bytes: Uint8Array, dataKey = key): Promise<string> {
  try {
    const out = await decryptBytes(dataKey, bytes);
    assert.fail(`decrypted ${out.length} bytes from a damaged envelope`);
  } catch (error) {
    assert.ok(error instanceof CryptoError, `expected a CryptoError, got ${String(error)}`);
    return error.code;
  }
}

describe("1,000 random single-bit flips", () => {
  it("every flip, anywhere in the envelope, is refused by decryptBytes with a CryptoError", async () => {
    const codes = new Map<string, number>();
    const regions = { header: 0, word: 0, tag: 0, body: 0 };
    for (let i = 0; i < 1_000; i++) {
      const position = randomInt(envelope.length);
      const damaged = envelope.slice();
      damaged[position]! ^= 1 << randomInt(8);
      const code = await refused(damaged);
      codes.set(code, (codes.get(code) ?? 0) + 1);
      const inChunk = position < 25 ? -1 : (position - 25) % (4 + 16 + CHUNK);
      if (inChunk < 0) regions.header++;
      else if (inChunk < 4) regions.word++;
      else if (inChunk < 20) regions.tag++;
      else regions.body++;
    }
    assert.ok(regions.header > 0 && regions.word > 0 && regions.tag > 0 && regions.body > 0, JSON.stringify(regions));
    assert.ok([...codes.keys()].every((code) => ["tampered", "bad-magic", "unsupported-version", "truncated", "trailing-data"].includes(code)), JSON.stringify([...codes]));
  });

  it("streaming decryption yields no chunk at or after the damaged one", async () => {
    for (let i = 0; i < 200; i++) {
      const chunkIndex = randomInt(4);
      const start = 25 + chunkIndex * (4 + 16 + CHUNK);
      const position = start + randomInt(chunkIndex === 3 ? 4 + 16 + 100 : 4 + 16 + CHUNK);
      const damaged = envelope.slice();
      damaged[position]! ^= 1 << randomInt(8);
      let yielded = 0;
      await assert.rejects(async () => {
        for await (const part of decryptStream(key, [damaged])) yielded += part.length;
      }, CryptoError);
      assert.ok(yielded <= chunkIndex * CHUNK, `yielded ${yielded} bytes with chunk ${chunkIndex} damaged`);
    }
  });

  it("a wrong data key or a wrong recipient key fails", async () => {
    assert.equal(await refused(envelope, randomDataKey()), "tampered");
    const wrapped = wrapKey(key, generateKeyPair().publicKey);
    assert.throws(() => unwrapKey(wrapped, generateKeyPair().secretKey), (error: unknown) => error instanceof CryptoError && error.code === "unwrap-failed");
  });
});

describe("nonces", () => {
  it("100,000 envelopes under one data key never repeat a nonce prefix", async () => {
    const seen = new Set<string>();
    const small = new Uint8Array(16);
    for (let i = 0; i < 100_000; i++) {
      const sealed = await encryptBytes(key, small);
      seen.add(Buffer.from(sealed.subarray(9, 25)).toString("hex"));
    }
    assert.equal(seen.size, 100_000);
  });
});
