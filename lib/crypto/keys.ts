import nacl from "tweetnacl";
import { assertLength, bytesToPrefixedHex, prefixedHexToBytes } from "./encoding";

export const KEY_LENGTH = 32;

export interface KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

// X25519 key pair for receiving wrapped data keys.
export function generateKeyPair(): KeyPair {
  return nacl.box.keyPair();
}

export function publicKeyFromSecretKey(secretKey: Uint8Array): Uint8Array {
  assertLength(secretKey, KEY_LENGTH, "secret key");
  return nacl.box.keyPair.fromSecretKey(secretKey).publicKey;
}

// A fresh symmetric key for one record (file + metadata).
export function randomDataKey(): Uint8Array {
  return nacl.randomBytes(KEY_LENGTH);
}

// The chain stores public keys as bytes32, hence the 0x-prefixed hex form.
export function publicKeyToHex(publicKey: Uint8Array): string {
  assertLength(publicKey, KEY_LENGTH, "public key");
  return bytesToPrefixedHex(publicKey);
}

export function publicKeyFromHex(hex: string): Uint8Array {
  return prefixedHexToBytes(hex, KEY_LENGTH);
}
