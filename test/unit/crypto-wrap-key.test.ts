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
import { forceTweetnaclForWrapKeys, wrapKeyBackend, wrapKeyReady } from "../../lib/crypto/wrap-key";

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

describe("key wrapping on libsodium and on tweetnacl (before libsodium loads)", () => {
  // Runs `body` with the tweetnacl implementation, then goes back to libsodium.
  function withTweetnacl<T>(body: () => T): T {
    forceTweetnaclForWrapKeys(true);
    try {
      assert.equal(wrapKeyBackend(), "tweetnacl");
      return body();
    } finally {
      forceTweetnaclForWrapKeys(false);
    }
  }

  it("uses libsodium once it has loaded", async () => {
    await wrapKeyReady();
    assert.equal(wrapKeyBackend(), "libsodium");
  });

  it("each side opens what the other sealed", async () => {
    await wrapKeyReady();
    for (let i = 0; i < 20; i++) {
      const recipient = generateKeyPair();
      const dataKey = randomDataKey();
      const bySodium = wrapKey(dataKey, recipient.publicKey);
      const byTweetnacl = withTweetnacl(() => wrapKey(dataKey, recipient.publicKey));
      assert.equal(bySodium.length, WRAPPED_KEY_LENGTH);
      assert.equal(byTweetnacl.length, WRAPPED_KEY_LENGTH);
      assert.equal(bySodium[0], 1);
      assert.equal(byTweetnacl[0], 1);
      assert.deepEqual(withTweetnacl(() => unwrapKey(bySodium, recipient.secretKey)), dataKey);
      assert.deepEqual(unwrapKey(byTweetnacl, recipient.secretKey), dataKey);
      assert.deepEqual(unwrapKey(bySodium, recipient.secretKey), dataKey);
      assert.deepEqual(withTweetnacl(() => unwrapKey(byTweetnacl, recipient.secretKey)), dataKey);
    }
  });

  it("both refuse the wrong recipient, tampering, a low-order recipient and a low-order ephemeral key alike", async () => {
    await wrapKeyReady();
    const dataKey = randomDataKey();
    const wrapped = wrapKey(dataKey, doctor.publicKey);
    // The all-zero point and the order-8 point libsodium's blocklist starts with: shared secret all zeros.
    const lowOrder = [new Uint8Array(32), Uint8Array.from([0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00])];
    for (const run of [<T>(body: () => T) => body(), withTweetnacl]) {
      assert.equal(run(() => codeOf(() => unwrapKey(wrapped, patient.secretKey))), "unwrap-failed");
      const tampered = wrapped.slice();
      tampered[50]! ^= 1;
      assert.equal(run(() => codeOf(() => unwrapKey(tampered, doctor.secretKey))), "unwrap-failed");
      const newer = wrapped.slice();
      newer[0] = 2;
      assert.equal(run(() => codeOf(() => unwrapKey(newer, doctor.secretKey))), "unsupported-version");
      assert.equal(run(() => codeOf(() => unwrapKey(wrapped.subarray(0, 80), doctor.secretKey))), "unwrap-failed");
      assert.equal(run(() => codeOf(() => unwrapKey(wrapped, new Uint8Array(31)))), "invalid-input");
      for (const point of lowOrder) {
        assert.equal(run(() => codeOf(() => wrapKey(dataKey, point))), "invalid-input");
        // A wrapped key whose ephemeral key is a low-order point: refused before any box is opened.
        const forged = wrapped.slice();
        forged.set(point, 1);
        assert.equal(run(() => codeOf(() => unwrapKey(forged, doctor.secretKey))), "unwrap-failed");
      }
    }
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
