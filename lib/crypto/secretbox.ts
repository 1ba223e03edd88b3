import { xsalsa20poly1305 } from "@noble/ciphers/salsa.js";

/*
 * nacl.secretbox (XSalsa20-Poly1305) on @noble/ciphers: the same construction and the same bytes
 * (box = Poly1305 tag (16) || ciphertext), so everything tweetnacl sealed still opens and
 * test/unit/crypto-secretbox.test.ts proves both give identical boxes. noble is audited and
 * about twice as fast here; tweetnacl stays for box and key pairs.
 */
export const SECRETBOX_KEY_LENGTH = 32;
export const SECRETBOX_NONCE_LENGTH = 24;
export const SECRETBOX_OVERHEAD = 16;
// noble writes into an output of input + 32 bytes (a scratch area for the Poly1305 key) and
// returns the box or plaintext as a view of it.
const SCRATCH = 32;

export function secretboxSeal(
  plaintext: Uint8Array,
  nonce: Uint8Array,
  key: Uint8Array,
): Uint8Array {
  return xsalsa20poly1305(key, nonce).encrypt(plaintext);
}

// null when the box does not authenticate, like nacl.secretbox.open.
export function secretboxOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (box.length < SECRETBOX_OVERHEAD) return null;
  try {
    return xsalsa20poly1305(key, nonce).decrypt(box);
  } catch {
    return null;
  }
}

// Reusable output areas for the whole-buffer paths (encryptBytes/decryptBytes), so sealing a
// large file allocates its result once instead of once per chunk.
export class SecretboxScratch {
  private buffer = new Uint8Array(0);

  private area(length: number): Uint8Array {
    if (this.buffer.length < length + SCRATCH) this.buffer = new Uint8Array(length + SCRATCH);
    return this.buffer.subarray(0, length + SCRATCH);
  }

  // The box, valid until the next call.
  seal(plaintext: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
    return xsalsa20poly1305(key, nonce).encrypt(plaintext, this.area(plaintext.length));
  }

  // The plaintext, valid until the next call; null when the box does not authenticate.
  open(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
    if (box.length < SECRETBOX_OVERHEAD) return null;
    try {
      return xsalsa20poly1305(key, nonce).decrypt(box, this.area(box.length));
    } catch {
      return null;
    }
  }

  clear(): void {
    this.buffer.fill(0);
  }
}
