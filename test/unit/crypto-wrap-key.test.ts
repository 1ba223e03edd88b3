import { describe, it } from "node:test";
import assert from "node:assert/strict";
import nacl from "tweetnacl";
import { blake2b } from "@noble/hashes/blake2.js";
import {
  CryptoError,
  WRAPPED_KEY_LENGTH,
  base64ToBytes,
  bytesToBase64,
  decodeWrappedKey,
  encodeWrappedKey,
  generateKeyPair,
  publicKeyFromHex,
  publicKeyFromSecretKey,
  publicKeyToHex,
  randomDataKey,
  unwrapKey,
  wrapKey,
} from "../../lib/crypto";

const patient = generateKeyPair();
const doctor = generateKeyPair();

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CryptoError, `expected a CryptoError, got ${error}`);
    return error.code;
  }
  return "succeeded";
}

describe("key pairs", () => {
  it("makes 32-byte X25519 key pairs whose public key follows from the secret key", () => {
    assert.equal(patient.publicKey.length, 32);
    assert.equal(patient.secretKey.length, 32);
    assert.deepEqual(publicKeyFromSecretKey(patient.secretKey), patient.publicKey);
    assert.notDeepEqual(patient.publicKey, doctor.publicKey);
  });

  it("makes fresh 32-byte data keys", () => {
    assert.equal(randomDataKey().length, 32);
    assert.notDeepEqual(randomDataKey(), randomDataKey());
  });

  it("converts public keys to and from 0x-prefixed bytes32 hex", () => {
    const hex = publicKeyToHex(patient.publicKey);
    assert.match(hex, /^0x[0-9a-f]{64}$/);
    assert.deepEqual(publicKeyFromHex(hex), patient.publicKey);
    assert.deepEqual(publicKeyFromHex(hex.toUpperCase().replace("0X", "0x")), patient.publicKey);
  });

  it("rejects malformed public key hex", () => {
    const hex = publicKeyToHex(patient.publicKey);
    for (const bad of [hex.slice(2), hex.slice(0, -2), `${hex}00`, `${hex.slice(0, -1)}g`, ""]) {
      assert.equal(codeOf(() => publicKeyFromHex(bad)), "invalid-input", bad);
    }
    assert.equal(codeOf(() => publicKeyToHex(new Uint8Array(31))), "invalid-input");
  });
});

describe("key wrapping", () => {
  it("wraps a data key that only the recipient can unwrap", () => {
    const dataKey = randomDataKey();
    const wrapped = wrapKey(dataKey, doctor.publicKey);
    assert.equal(wrapped.length, WRAPPED_KEY_LENGTH);
    assert.equal(WRAPPED_KEY_LENGTH, 81);
    assert.deepEqual(unwrapKey(wrapped, doctor.secretKey), dataKey);
    assert.equal(codeOf(() => unwrapKey(wrapped, patient.secretKey)), "unwrap-failed");
  });

  it("uses a fresh ephemeral key every time", () => {
    const dataKey = randomDataKey();
    assert.notDeepEqual(wrapKey(dataKey, doctor.publicKey), wrapKey(dataKey, doctor.publicKey));
  });

  it("is a libsodium sealed box after the version byte", () => {
    const dataKey = randomDataKey();
    const wrapped = wrapKey(dataKey, doctor.publicKey);
    const ephemeralPublicKey = wrapped.subarray(1, 33);
    const nonceInput = new Uint8Array([...ephemeralPublicKey, ...doctor.publicKey]);
    const nonce = blake2b(nonceInput, { dkLen: 24 });
    const opened = nacl.box.open(wrapped.subarray(33), nonce, ephemeralPublicKey, doctor.secretKey);
    assert.deepEqual(opened, dataKey);
  });

  it("rejects every single-bit flip of a wrapped key", () => {
    const wrapped = wrapKey(randomDataKey(), doctor.publicKey);
    for (let position = 0; position < wrapped.length; position++) {
      for (let bit = 0; bit < 8; bit++) {
        const tampered = wrapped.slice();
        tampered[position]! ^= 1 << bit;
        const expected = position === 0 ? "unsupported-version" : "unwrap-failed";
        const code = codeOf(() => unwrapKey(tampered, doctor.secretKey));
        assert.equal(code, expected, `byte ${position}, bit ${bit}`);
      }
    }
  });

  it("rejects wrapped keys of the wrong length", () => {
    const wrapped = wrapKey(randomDataKey(), doctor.publicKey);
    assert.equal(codeOf(() => unwrapKey(wrapped.subarray(0, 80), doctor.secretKey)), "unwrap-failed");
    const longer = new Uint8Array([...wrapped, 0]);
    assert.equal(codeOf(() => unwrapKey(longer, doctor.secretKey)), "unwrap-failed");
  });

  it("refuses to wrap for a low-order public key, whose shared secret is public", () => {
    assert.equal(codeOf(() => wrapKey(randomDataKey(), new Uint8Array(32))), "invalid-input");
  });

  it("rejects keys of the wrong length", () => {
    assert.equal(codeOf(() => wrapKey(new Uint8Array(16), doctor.publicKey)), "invalid-input");
    assert.equal(codeOf(() => wrapKey(randomDataKey(), new Uint8Array(33))), "invalid-input");
    const wrapped = wrapKey(randomDataKey(), doctor.publicKey);
    assert.equal(codeOf(() => unwrapKey(wrapped, new Uint8Array(31))), "invalid-input");
  });

  it("encodes wrapped keys as base64 for transport and checks their shape on decoding", () => {
    const dataKey = randomDataKey();
    const text = encodeWrappedKey(wrapKey(dataKey, doctor.publicKey));
    assert.equal(text.length, 108);
    assert.deepEqual(unwrapKey(decodeWrappedKey(text), doctor.secretKey), dataKey);
    assert.equal(codeOf(() => decodeWrappedKey(text.slice(4))), "invalid-input");
    assert.equal(codeOf(() => decodeWrappedKey(` ${text}`)), "invalid-input");
    assert.equal(codeOf(() => decodeWrappedKey(`B${text.slice(1)}`)), "unsupported-version");
  });
});

describe("base64", () => {
  it("round-trips bytes of every length up to a few blocks", () => {
    for (let length = 0; length < 20; length++) {
      const bytes = nacl.randomBytes(length);
      assert.deepEqual(base64ToBytes(bytesToBase64(bytes)), bytes);
    }
  });

  it("rejects text that is not canonical base64", () => {
    for (const bad of ["A", "AA", "AA=", "AB==", "AA==\n", "AA AA", "AA-_", "@@@@"]) {
      assert.equal(codeOf(() => base64ToBytes(bad)), "invalid-input", JSON.stringify(bad));
    }
  });
});
