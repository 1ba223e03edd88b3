import nacl from "tweetnacl";
import { blake2b } from "@noble/hashes/blake2.js";
import { CryptoError, publicKeyFromSecretKey } from "@/lib/crypto";

/*
 * Sealed box for short byte strings of any length (Shamir shares are 33 bytes, notes longer): version(1) ||
 * ephemeralPublicKey(32) || nacl.box(message) with the nonce blake2b-192(ephemeralPk || recipientPk), i.e.
 * libsodium's crypto_box_seal after the version byte, exactly as lib/crypto wraps 32-byte data keys.
 */
const SEAL_VERSION = 1;
const KEY_LENGTH = 32;
const HEADER = 1 + KEY_LENGTH;
export const SEAL_OVERHEAD = HEADER + nacl.box.overheadLength;

const nonceOf = (ephemeral: Uint8Array, recipient: Uint8Array) => {
  const input = new Uint8Array(2 * KEY_LENGTH);
  input.set(ephemeral);
  input.set(recipient, KEY_LENGTH);
  return blake2b(input, { dkLen: nacl.box.nonceLength });
};

const lowOrder = (publicKey: Uint8Array, secretKey: Uint8Array) => nacl.scalarMult(secretKey, publicKey).every((byte) => byte === 0);

export function sealBytes(message: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  if (recipientPublicKey.length !== KEY_LENGTH) throw new CryptoError("invalid-input", "recipient public key must be 32 bytes");
  const ephemeral = nacl.box.keyPair();
  try {
    if (lowOrder(recipientPublicKey, ephemeral.secretKey)) throw new CryptoError("invalid-input", "recipient public key is a low-order point");
    const box = nacl.box(message, nonceOf(ephemeral.publicKey, recipientPublicKey), recipientPublicKey, ephemeral.secretKey);
    const sealed = new Uint8Array(HEADER + box.length);
    sealed[0] = SEAL_VERSION;
    sealed.set(ephemeral.publicKey, 1);
    sealed.set(box, HEADER);
    return sealed;
  } finally {
    ephemeral.secretKey.fill(0);
  }
}

export function openBytes(sealed: Uint8Array, recipientSecretKey: Uint8Array): Uint8Array {
  if (sealed.length < SEAL_OVERHEAD || sealed[0] !== SEAL_VERSION) throw new CryptoError("unwrap-failed", "not a sealed message");
  const ephemeral = sealed.subarray(1, HEADER);
  if (lowOrder(ephemeral, recipientSecretKey)) throw new CryptoError("unwrap-failed");
  const opened = nacl.box.open(sealed.subarray(HEADER), nonceOf(ephemeral, publicKeyFromSecretKey(recipientSecretKey)), ephemeral, recipientSecretKey);
  if (!opened) throw new CryptoError("unwrap-failed");
  return opened;
}
