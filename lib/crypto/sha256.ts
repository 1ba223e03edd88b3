import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

// Lower-case hex without 0x, as printed by sha256sum; the record metadata stores this.
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

export interface Sha256 {
  update(bytes: Uint8Array): Sha256;
  digestHex(): string;
}

// Incremental form: feed the plaintext chunks as they pass through encryption or decryption.
export function createSha256(): Sha256 {
  const hash = sha256.create();
  const hasher: Sha256 = {
    update(bytes) {
      hash.update(bytes);
      return hasher;
    },
    digestHex: () => bytesToHex(hash.digest()),
  };
  return hasher;
}
