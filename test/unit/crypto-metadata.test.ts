import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CryptoError,
  sha256HexOfFile,
  decryptBytes,
  decryptJson,
  encryptBytes,
  encryptJson,
  randomDataKey,
  sha256Hex,
} from "../../lib/crypto";

const key = randomDataKey();
const metadata = {
  title: "Discharge summary",
  hospital: "Hôpital Saint-Louis",
  reason: "Fracture du poignet — suivi",
  admittedAt: "2024-03-01",
  dischargedAt: "2024-03-04",
  category: "discharge",
  fileName: "résumé.pdf",
  size: 182_113,
  sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
};

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CryptoError, `expected a CryptoError, got ${error}`);
    return error.code;
  }
  return "succeeded";
}

describe("metadata encryption", () => {
  it("round-trips a JSON value", () => {
    assert.deepEqual(decryptJson(key, encryptJson(key, metadata)), metadata);
    assert.equal(decryptJson(key, encryptJson(key, null)), null);
  });

  it("uses a fresh nonce each time", () => {
    assert.notDeepEqual(encryptJson(key, metadata), encryptJson(key, metadata));
  });

  it("rejects every single-bit flip", () => {
    const blob = encryptJson(key, { a: 1 });
    for (let position = 0; position < blob.length; position++) {
      const expected =
        position < 4 ? "bad-magic" : position === 4 ? "unsupported-version" : "tampered";
      for (let bit = 0; bit < 8; bit++) {
        const tampered = blob.slice();
        tampered[position]! ^= 1 << bit;
        assert.equal(codeOf(() => decryptJson(key, tampered)), expected, `${position}/${bit}`);
      }
    }
  });

  it("rejects a cut or extended blob", () => {
    const blob = encryptJson(key, metadata);
    assert.equal(codeOf(() => decryptJson(key, blob.subarray(0, 40))), "truncated");
    assert.equal(codeOf(() => decryptJson(key, blob.subarray(0, blob.length - 1))), "tampered");
    assert.equal(codeOf(() => decryptJson(key, new Uint8Array([...blob, 0]))), "tampered");
  });

  it("rejects the wrong key", () => {
    assert.equal(codeOf(() => decryptJson(randomDataKey(), encryptJson(key, metadata))), "tampered");
  });

  it("keeps metadata and file envelopes apart under the same data key", async () => {
    const blob = encryptJson(key, metadata);
    await assert.rejects(decryptBytes(key, blob), { name: "CryptoError", code: "bad-magic" });
    const file = await encryptBytes(key, new TextEncoder().encode(JSON.stringify(metadata)));
    assert.equal(codeOf(() => decryptJson(key, file)), "bad-magic");
  });

  it("refuses values that JSON cannot represent", () => {
    assert.equal(codeOf(() => encryptJson(key, undefined)), "invalid-input");
  });
});

describe("sha256", () => {
  it("matches the standard test vectors", () => {
    assert.equal(
      sha256Hex(new Uint8Array(0)),
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    assert.equal(sha256Hex(new TextEncoder().encode("abc")), metadata.sha256);
  });

  it("gives the same digest from the platform's SHA-256 (sha256HexOfFile), whatever the length", async () => {
    for (const length of [0, 1, 55, 56, 64, 1000, 1 << 20]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 7) & 0xff);
      assert.equal(await sha256HexOfFile(bytes), sha256Hex(bytes), `${length} bytes`);
    }
  });
});
