import nacl from "tweetnacl";
import { loadedSodium, sodiumReady, type SodiumModule } from "./sodium";

/*
 * nacl.secretbox (XSalsa20-Poly1305) on libsodium's crypto_secretbox_easy, compiled to WebAssembly: the
 * same construction and the same bytes (box = Poly1305 tag (16) || ciphertext), so everything tweetnacl
 * sealed still opens, and test/unit/crypto-secretbox.test.ts proves both give identical boxes and
 * envelopes. tweetnacl stays for box and key pairs.
 *
 * libsodium loads asynchronously: the file envelope (encrypt-stream.ts, decrypt-stream.ts) awaits
 * secretboxReady() before its first chunk. The synchronous small users (metadata, key backup) use
 * libsodium once it is loaded and tweetnacl before that; both give the same bytes, so which one ran is
 * invisible. The browser needs CSP 'wasm-unsafe-eval' (lib/security/headers.ts) to compile libsodium's
 * WebAssembly; where it is refused, libsodium's CommonJS build falls back to its asm.js copy and its ESM
 * build (what the app bundles) fails to load, and then everything here stays on tweetnacl, several times
 * slower but the same bytes. secretboxBackend() says which one runs.
 *
 * We call the C functions on the WebAssembly heap directly rather than through libsodium-wrappers' helpers:
 * the helpers allocate a fresh result array per call; here a chunk is copied in, sealed or opened in
 * place, and copied once straight to where the caller wants it (e.g. its place in the whole envelope).
 * Key, nonce and data are wiped from the heap when the caller is done with the key (keyedSecretbox).
 */
export const SECRETBOX_KEY_LENGTH = 32;
export const SECRETBOX_NONCE_LENGTH = 24;
export const SECRETBOX_OVERHEAD = 16;

/** Resolves once libsodium is usable; safe to call often. */
export const secretboxReady = sodiumReady;

// The smallest valid module (magic and version): compiling it fails where a CSP forbids WebAssembly.
function webAssemblyAllowed(): boolean {
  try {
    new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    return true;
  } catch {
    return false;
  }
}

/** Which implementation seals now: libsodium WebAssembly, its asm.js fallback, or tweetnacl (not loaded yet). */
export function secretboxBackend(): "wasm" | "asm.js" | "tweetnacl" {
  if (!loadedSodium()) return "tweetnacl";
  return typeof WebAssembly === "object" && webAssemblyAllowed() ? "wasm" : "asm.js";
}

/**
 * One key, many boxes: the envelope seals or opens every chunk of a file under one key. The key and a
 * working area for one box stay on the heap until close(), so each chunk costs one copy in, the cipher
 * and one copy out: no allocation, key copy or wipe per chunk. Each box is sealed and opened in place
 * (the data sits right after its 16-byte tag, where libsodium writes the ciphertext). close() wipes key,
 * nonce and data from the heap; call it in a finally.
 */
export interface KeyedSecretbox {
  /** Seals `plaintext` (at most maxLength bytes) and writes the box (16 + length) into `out` at `offset`. */
  sealInto(plaintext: Uint8Array, nonce: Uint8Array, out: Uint8Array, offset: number): void;
  /** Opens `box` and, only if it authenticates, writes its plaintext into `out` at `offset`; false otherwise. */
  openInto(box: Uint8Array, nonce: Uint8Array, out: Uint8Array, offset: number): boolean;
  close(): void;
}

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== SECRETBOX_NONCE_LENGTH) throw new RangeError("bad secretbox nonce length");
}

function checkPlace(offset: number, length: number, out: Uint8Array): void {
  if (offset < 0 || offset + length > out.length) throw new RangeError("secretbox output too small");
}

/** A KeyedSecretbox for boxes of up to `maxLength` plaintext bytes (libsodium, or tweetnacl until it loads). */
export function keyedSecretbox(key: Uint8Array, maxLength: number): KeyedSecretbox {
  if (key.length !== SECRETBOX_KEY_LENGTH) throw new RangeError("bad secretbox key length");
  const lib = loadedSodium();
  return lib ? sodiumKeyed(lib, key, maxLength) : tweetnaclKeyed(key.slice());
}

function sodiumKeyed(lib: SodiumModule, key: Uint8Array, maxLength: number): KeyedSecretbox {
  const size = SECRETBOX_KEY_LENGTH + SECRETBOX_NONCE_LENGTH + SECRETBOX_OVERHEAD + maxLength;
  const k = lib._malloc(size);
  if (!k) throw new RangeError("secretbox: out of WebAssembly memory");
  const n = k + SECRETBOX_KEY_LENGTH;
  const box = n + SECRETBOX_NONCE_LENGTH; // tag (16) | data (up to maxLength)
  const data = box + SECRETBOX_OVERHEAD;
  lib.HEAPU8.set(key, k); // HEAPU8 is re-read at each use: growing the memory replaces the view
  let open = true;
  const checkLength = (length: number) => {
    if (!open) throw new RangeError("secretbox: used after close");
    if (length > maxLength) throw new RangeError("secretbox: chunk larger than this key's working area");
  };
  return {
    sealInto(plaintext, nonce, out, offset) {
      checkNonce(nonce);
      checkLength(plaintext.length);
      checkPlace(offset, plaintext.length + SECRETBOX_OVERHEAD, out);
      const heap = lib.HEAPU8;
      heap.set(nonce, n);
      heap.set(plaintext, data);
      if (lib._crypto_secretbox_easy(box, data, plaintext.length, 0, n, k) !== 0) throw new RangeError("crypto_secretbox_easy failed");
      out.set(lib.HEAPU8.subarray(box, data + plaintext.length), offset);
    },
    openInto(sealed, nonce, out, offset) {
      checkNonce(nonce);
      if (sealed.length < SECRETBOX_OVERHEAD) return false;
      const length = sealed.length - SECRETBOX_OVERHEAD;
      checkLength(length);
      checkPlace(offset, length, out);
      const heap = lib.HEAPU8;
      heap.set(nonce, n);
      heap.set(sealed, box);
      // libsodium checks the tag over the ciphertext first and decrypts only when it matches.
      if (lib._crypto_secretbox_open_easy(data, box, sealed.length, 0, n, k) !== 0) return false;
      out.set(lib.HEAPU8.subarray(data, data + length), offset);
      return true;
    },
    close() {
      if (!open) return;
      open = false;
      lib.HEAPU8.fill(0, k, k + size);
      lib._free(k);
    },
  };
}

function tweetnaclKeyed(key: Uint8Array): KeyedSecretbox {
  return {
    sealInto(plaintext, nonce, out, offset) {
      checkNonce(nonce);
      checkPlace(offset, plaintext.length + SECRETBOX_OVERHEAD, out);
      out.set(nacl.secretbox(plaintext, nonce, key), offset);
    },
    openInto(sealed, nonce, out, offset) {
      checkNonce(nonce);
      if (sealed.length < SECRETBOX_OVERHEAD) return false;
      checkPlace(offset, sealed.length - SECRETBOX_OVERHEAD, out);
      const plaintext = nacl.secretbox.open(sealed, nonce, key);
      if (!plaintext) return false;
      out.set(plaintext, offset);
      plaintext.fill(0);
      return true;
    },
    close() {
      key.fill(0);
    },
  };
}

/**
 * Seals `plaintext` and writes the box (16 + plaintext.length bytes) into `out` at `offset`. `plaintext`
 * may not overlap the box's place in `out`.
 */
export function secretboxSealInto(plaintext: Uint8Array, nonce: Uint8Array, key: Uint8Array, out: Uint8Array, offset: number): void {
  const keyed = keyedSecretbox(key, plaintext.length);
  try {
    keyed.sealInto(plaintext, nonce, out, offset);
  } finally {
    keyed.close();
  }
}

/**
 * Opens `box` and, only if it authenticates, writes the plaintext (box.length - 16 bytes) into `out` at
 * `offset`. False when it does not authenticate (nothing is written then).
 */
export function secretboxOpenInto(box: Uint8Array, nonce: Uint8Array, key: Uint8Array, out: Uint8Array, offset: number): boolean {
  const keyed = keyedSecretbox(key, Math.max(0, box.length - SECRETBOX_OVERHEAD));
  try {
    return keyed.openInto(box, nonce, out, offset);
  } finally {
    keyed.close();
  }
}

/** The box (tag || ciphertext), like nacl.secretbox. */
export function secretboxSeal(plaintext: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  const box = new Uint8Array(plaintext.length + SECRETBOX_OVERHEAD);
  secretboxSealInto(plaintext, nonce, key, box, 0);
  return box;
}

/** The plaintext, or null when the box does not authenticate (like nacl.secretbox.open). */
export function secretboxOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (box.length < SECRETBOX_OVERHEAD) return null;
  const plaintext = new Uint8Array(box.length - SECRETBOX_OVERHEAD);
  return secretboxOpenInto(box, nonce, key, plaintext, 0) ? plaintext : null;
}
