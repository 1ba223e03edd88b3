import { Poly1305, poly1305 } from "@noble/ciphers/_poly1305.js";
import { xsalsa20 } from "@noble/ciphers/salsa.js";

/*
 * nacl.secretbox (XSalsa20-Poly1305) on @noble/ciphers: the same construction and the same bytes
 * (box = Poly1305 tag (16) || ciphertext), so everything tweetnacl sealed still opens, and
 * test/unit/crypto-secretbox.test.ts proves both give identical boxes. tweetnacl stays for box and
 * key pairs.
 *
 * This is noble's xsalsa20poly1305 step by step (XSalsa20 over 32 zero bytes || message: the first
 * 32 bytes of keystream are the one-time Poly1305 key), with one difference: noble's Poly1305
 * update() copies its whole input first, which for a 64 KiB chunk is 64 KiB of garbage per chunk
 * and, for a large file, up to another file's worth of memory before the collector runs. We feed
 * the full 16-byte blocks to the MAC in place and only the short tail through update().
 */
export const SECRETBOX_KEY_LENGTH = 32;
export const SECRETBOX_NONCE_LENGTH = 24;
export const SECRETBOX_OVERHEAD = 16;
const SCRATCH = 32; // keystream bytes that become the Poly1305 key
const BLOCK = 16;

interface InPlaceMac {
  process(data: Uint8Array, offset: number): void;
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
}

function mac(message: Uint8Array, authKey: Uint8Array): Uint8Array {
  const state = new Poly1305(authKey) as unknown as InPlaceMac;
  if (typeof state.process !== "function") return poly1305(message, authKey);
  const full = message.length - (message.length % BLOCK);
  for (let offset = 0; offset < full; offset += BLOCK) state.process(message, offset);
  state.update(message.subarray(full));
  return state.digest();
}

function equalTags(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function workArea(length: number, area?: Uint8Array): Uint8Array {
  if (!area) return new Uint8Array(length);
  if (area.length !== length) throw new RangeError("secretbox work area has the wrong length");
  return area;
}

/** The box (tag || ciphertext). With `area` (plaintext.length + 32 bytes) the box is a view of it. */
export function secretboxSeal(
  plaintext: Uint8Array,
  nonce: Uint8Array,
  key: Uint8Array,
  area?: Uint8Array,
): Uint8Array {
  const work = workArea(plaintext.length + SCRATCH, area);
  work.fill(0, 0, SCRATCH);
  work.set(plaintext, SCRATCH);
  xsalsa20(key, nonce, work, work);
  const tag = mac(work.subarray(SCRATCH), work.subarray(0, SCRATCH));
  work.set(tag, SCRATCH - SECRETBOX_OVERHEAD);
  work.fill(0, 0, SCRATCH - SECRETBOX_OVERHEAD);
  tag.fill(0);
  return work.subarray(SCRATCH - SECRETBOX_OVERHEAD);
}

/**
 * The plaintext, or null when the box does not authenticate (like nacl.secretbox.open). With `area`
 * (box.length + 16 bytes) the plaintext is a view of it.
 */
export function secretboxOpen(
  box: Uint8Array,
  nonce: Uint8Array,
  key: Uint8Array,
  area?: Uint8Array,
): Uint8Array | null {
  if (box.length < SECRETBOX_OVERHEAD) return null;
  const ciphertext = box.subarray(SECRETBOX_OVERHEAD);
  const work = workArea(ciphertext.length + SCRATCH, area);
  work.fill(0, 0, SCRATCH);
  work.set(ciphertext, SCRATCH);
  xsalsa20(key, nonce, work, work);
  // The tag is checked over the ciphertext as received; nothing decrypted leaves unless it matches.
  const tag = mac(ciphertext, work.subarray(0, SCRATCH));
  const authentic = equalTags(tag, box.subarray(0, SECRETBOX_OVERHEAD));
  tag.fill(0);
  if (!authentic) {
    work.fill(0);
    return null;
  }
  work.fill(0, 0, SCRATCH);
  return work.subarray(SCRATCH);
}

// One reusable work area for the whole-buffer paths (encryptBytes/decryptBytes), so sealing a
// large file allocates its result once instead of once per chunk.
export class SecretboxScratch {
  private buffer = new Uint8Array(0);

  private area(length: number): Uint8Array {
    if (this.buffer.length < length) this.buffer = new Uint8Array(length);
    return this.buffer.subarray(0, length);
  }

  // The box, valid until the next call.
  seal(plaintext: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
    return secretboxSeal(plaintext, nonce, key, this.area(plaintext.length + SCRATCH));
  }

  // The plaintext, valid until the next call; null when the box does not authenticate.
  open(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
    if (box.length < SECRETBOX_OVERHEAD) return null;
    return secretboxOpen(box, nonce, key, this.area(box.length - SECRETBOX_OVERHEAD + SCRATCH));
  }

  clear(): void {
    this.buffer.fill(0);
  }
}
