import assert from "node:assert/strict";
import { hkdfSync, randomBytes } from "node:crypto";
import { before, describe, it } from "node:test";
import sodium from "libsodium-wrappers";
import nacl from "tweetnacl";
import { decryptBytes, decryptJson, encryptBytes, encryptJson, generateKeyPair, randomDataKey, unwrapKey, wrapKey, WRAPPED_KEY_LENGTH } from "@/lib/crypto";

/*
 * Our formats against an independent implementation (libsodium, C compiled to WebAssembly): what tweetnacl
 * and lib/crypto seal, libsodium opens, and the reverse. Key derivations are recomputed with node:crypto.
 */

const bytes = (length: number) => new Uint8Array(randomBytes(length));
const equal = (a: Uint8Array | null, b: Uint8Array) => assert.deepEqual(a && Buffer.from(a), Buffer.from(b));

before(async () => {
  await sodium.ready;
});

describe("nacl.box (X25519-XSalsa20-Poly1305) and libsodium crypto_box_easy", () => {
  it("libsodium opens what tweetnacl boxed, and tweetnacl opens what libsodium boxed", () => {
    for (let i = 0; i < 20; i++) {
      const alice = nacl.box.keyPair();
      const bob = sodium.crypto_box_keypair();
      const nonce = bytes(24);
      const message = bytes(i * 37);
      const box = nacl.box(message, nonce, bob.publicKey, alice.secretKey);
      equal(sodium.crypto_box_open_easy(box, nonce, alice.publicKey, bob.privateKey), message);
      const back = sodium.crypto_box_easy(message, nonce, alice.publicKey, bob.privateKey);
      assert.deepEqual(Buffer.from(back), Buffer.from(box), "the same box, byte for byte");
      equal(nacl.box.open(back, nonce, bob.publicKey, alice.secretKey), message);
    }
  });

  it("both refuse a flipped bit", () => {
    const alice = nacl.box.keyPair();
    const bob = sodium.crypto_box_keypair();
    const nonce = bytes(24);
    const box = nacl.box(bytes(32), nonce, bob.publicKey, alice.secretKey);
    box[5]! ^= 1;
    assert.throws(() => sodium.crypto_box_open_easy(box, nonce, alice.publicKey, bob.privateKey));
    assert.equal(nacl.box.open(box, nonce, bob.publicKey, alice.secretKey), null);
  });
});

describe("nacl.secretbox (XSalsa20-Poly1305) and libsodium crypto_secretbox_easy", () => {
  it("give the same box and each opens the other's", () => {
    for (const length of [0, 1, 16, 31, 64, 1000, 65_536]) {
      const key = bytes(32);
      const nonce = bytes(24);
      const message = bytes(length);
      const box = nacl.secretbox(message, nonce, key);
      equal(sodium.crypto_secretbox_open_easy(box, nonce, key), message);
      const back = sodium.crypto_secretbox_easy(message, nonce, key);
      assert.deepEqual(Buffer.from(back), Buffer.from(box));
      equal(nacl.secretbox.open(back, nonce, key), message);
    }
  });
});

describe("wrapped keys (lib/crypto/wrap-key.ts) are version byte 0x01 || libsodium crypto_box_seal", () => {
  it("libsodium crypto_box_seal_open opens what wrapKey sealed", () => {
    for (let i = 0; i < 20; i++) {
      const recipient = sodium.crypto_box_keypair();
      const dataKey = randomDataKey();
      const wrapped = wrapKey(dataKey, recipient.publicKey);
      assert.equal(wrapped.length, WRAPPED_KEY_LENGTH);
      assert.equal(wrapped[0], 1);
      equal(sodium.crypto_box_seal_open(wrapped.subarray(1), recipient.publicKey, recipient.privateKey), dataKey);
    }
  });

  it("the nonce is blake2b-192(ephemeral pk || recipient pk), as crypto_box_seal derives it", () => {
    const recipient = generateKeyPair();
    const dataKey = randomDataKey();
    const wrapped = wrapKey(dataKey, recipient.publicKey);
    const ephemeral = wrapped.subarray(1, 33);
    const nonce = sodium.crypto_generichash(24, new Uint8Array([...ephemeral, ...recipient.publicKey]), null);
    equal(sodium.crypto_box_open_easy(wrapped.subarray(33), nonce, ephemeral, recipient.secretKey), dataKey);
  });

  it("unwrapKey opens what libsodium crypto_box_seal sealed (with the version byte in front)", () => {
    for (let i = 0; i < 20; i++) {
      const recipient = generateKeyPair();
      const dataKey = randomDataKey();
      const sealed = sodium.crypto_box_seal(dataKey, recipient.publicKey);
      equal(unwrapKey(new Uint8Array([1, ...sealed]), recipient.secretKey), dataKey);
    }
  });
});

// The file envelope (lib/crypto/envelope-format.ts), read and written with libsodium and node:crypto only.
const FILE_INFO = "ehr/file-envelope/v1";
const fileKey = (dataKey: Uint8Array, header: Uint8Array) => new Uint8Array(hkdfSync("sha256", dataKey, header, FILE_INFO, 32));
function chunkNonce(prefix: Uint8Array, index: number, word: number) {
  const nonce = Buffer.alloc(24);
  nonce.set(prefix);
  nonce.writeUInt32BE(index, 16);
  nonce.writeUInt32BE(word >>> 0, 20);
  return new Uint8Array(nonce);
}

function sodiumOpenEnvelope(dataKey: Uint8Array, envelope: Uint8Array): Uint8Array {
  const header = envelope.subarray(0, 25);
  assert.deepEqual([...header.subarray(0, 5)], [0x45, 0x48, 0x52, 0x46, 1]);
  const key = fileKey(dataKey, header);
  const parts: Uint8Array[] = [];
  let offset = 25;
  for (let index = 0; ; index++) {
    const word = Buffer.from(envelope.subarray(offset, offset + 4)).readUInt32BE(0);
    const length = word & 0x7fff_ffff;
    const box = envelope.subarray(offset + 4, offset + 4 + 16 + length);
    parts.push(sodium.crypto_secretbox_open_easy(box, chunkNonce(header.subarray(9), index, word), key));
    offset += 4 + 16 + length;
    if (word & 0x8000_0000) break;
  }
  assert.equal(offset, envelope.length, "nothing after the final chunk");
  return new Uint8Array(Buffer.concat(parts));
}

function sodiumSealEnvelope(dataKey: Uint8Array, plaintext: Uint8Array, chunkSize: number): Uint8Array {
  const header = Buffer.alloc(25);
  header.set([0x45, 0x48, 0x52, 0x46, 1]);
  header.writeUInt32BE(chunkSize, 5);
  header.set(bytes(16), 9);
  const key = fileKey(dataKey, header);
  const out: Uint8Array[] = [header];
  for (let index = 0, start = 0; ; index++, start += chunkSize) {
    const end = Math.min(start + chunkSize, plaintext.length);
    const final = end === plaintext.length;
    const word = ((final ? 0x8000_0000 : 0) | (end - start)) >>> 0;
    const wordBytes = Buffer.alloc(4);
    wordBytes.writeUInt32BE(word);
    out.push(wordBytes, sodium.crypto_secretbox_easy(plaintext.subarray(start, end), chunkNonce(header.subarray(9), index, word), key));
    if (final) return new Uint8Array(Buffer.concat(out));
  }
}

describe("file envelope chunks are libsodium secretboxes under HKDF-SHA256 keys", () => {
  it("libsodium opens every chunk encryptBytes sealed", async () => {
    for (const [length, chunkSize] of [[0, 64 * 1024], [1, 16], [100_000, 64 * 1024], [4096, 1024], [4097, 1024]] as const) {
      const dataKey = randomDataKey();
      const plaintext = bytes(length);
      equal(sodiumOpenEnvelope(dataKey, await encryptBytes(dataKey, plaintext, { chunkSize })), plaintext);
    }
  });

  it("decryptBytes opens an envelope libsodium sealed", async () => {
    for (const [length, chunkSize] of [[0, 64 * 1024], [100_000, 64 * 1024], [4096, 1024], [5000, 999]] as const) {
      const dataKey = randomDataKey();
      const plaintext = bytes(length);
      equal(await decryptBytes(dataKey, sodiumSealEnvelope(dataKey, plaintext, chunkSize)), plaintext);
    }
  });
});

describe("encrypted metadata is magic | version | nonce | libsodium secretbox under HKDF-SHA256(dataKey, info)", () => {
  const metadataKey = (dataKey: Uint8Array) => new Uint8Array(hkdfSync("sha256", dataKey, new Uint8Array(0), "ehr/metadata/v1", 32));

  it("each side opens the other's", () => {
    const dataKey = randomDataKey();
    const value = { title: "Blood test <script>", date: "2026-11-30", tags: ["ü", "'; DROP TABLE records; --"] };
    const blob = encryptJson(dataKey, value);
    assert.deepEqual([...blob.subarray(0, 5)], [0x45, 0x48, 0x52, 0x4d, 1]);
    const opened = sodium.crypto_secretbox_open_easy(blob.subarray(29), blob.subarray(5, 29), metadataKey(dataKey));
    assert.deepEqual(JSON.parse(Buffer.from(opened).toString("utf8")), value);

    const nonce = bytes(24);
    const box = sodium.crypto_secretbox_easy(new TextEncoder().encode(JSON.stringify(value)), nonce, metadataKey(dataKey));
    assert.deepEqual(decryptJson(dataKey, new Uint8Array([0x45, 0x48, 0x52, 0x4d, 1, ...nonce, ...box])), value);
  });
});
