import sodium from "libsodium-wrappers";
import nacl from "tweetnacl";

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
 * the helpers allocate a fresh result array per call; here a chunk is copied in, sealed or opened there,
 * and copied once straight to where the caller wants it (e.g. its place in the whole envelope). Key,
 * nonce and plaintext are wiped from the heap after every call.
 */
export const SECRETBOX_KEY_LENGTH = 32;
export const SECRETBOX_NONCE_LENGTH = 24;
export const SECRETBOX_OVERHEAD = 16;

// The parts of the Emscripten module (libsodium-wrappers exposes it as `sodium.libsodium`) we call.
interface SodiumModule {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  // Lengths are unsigned long long, passed as (low, high) 32-bit halves.
  _crypto_secretbox_easy(c: number, m: number, mLow: number, mHigh: number, n: number, k: number): number;
  _crypto_secretbox_open_easy(m: number, c: number, cLow: number, cHigh: number, n: number, k: number): number;
}

let loaded: SodiumModule | null = null;
let loading: Promise<void> | null = null;

/** Resolves once libsodium is usable; safe to call often. */
export function secretboxReady(): Promise<void> {
  loading ??= sodium.ready.then(
    () => {
      loaded = (sodium as unknown as { libsodium: SodiumModule }).libsodium;
    },
    () => {
      // WebAssembly refused and no fallback: stay on tweetnacl (same bytes).
    },
  );
  return loading;
}

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
  if (!loaded) return "tweetnacl";
  return typeof WebAssembly === "object" && webAssemblyAllowed() ? "wasm" : "asm.js";
}

// Start loading as soon as any crypto module is imported, so the small synchronous users get libsodium too.
void secretboxReady();

function checkSizes(nonce: Uint8Array, key: Uint8Array): void {
  if (key.length !== SECRETBOX_KEY_LENGTH) throw new RangeError("bad secretbox key length");
  if (nonce.length !== SECRETBOX_NONCE_LENGTH) throw new RangeError("bad secretbox nonce length");
}

// Runs `body` with key, nonce and a data area of `length` bytes on the heap, then wipes and frees them.
function onHeap<T>(
  lib: SodiumModule,
  nonce: Uint8Array,
  key: Uint8Array,
  length: number,
  body: (heap: Uint8Array, data: number, n: number, k: number) => T,
): T {
  const size = SECRETBOX_KEY_LENGTH + SECRETBOX_NONCE_LENGTH + length;
  const k = lib._malloc(size);
  if (!k) throw new RangeError("secretbox: out of WebAssembly memory");
  const n = k + SECRETBOX_KEY_LENGTH;
  const data = n + SECRETBOX_NONCE_LENGTH;
  try {
    let heap = lib.HEAPU8; // re-read after malloc: growing the memory replaces the view
    heap.set(key, k);
    heap.set(nonce, n);
    const result = body(heap, data, n, k);
    heap = lib.HEAPU8;
    heap.fill(0, k, k + size);
    return result;
  } catch (error) {
    lib.HEAPU8.fill(0, k, k + size);
    throw error;
  } finally {
    lib._free(k);
  }
}

/**
 * Seals `plaintext` and writes the box (16 + plaintext.length bytes) into `out` at `offset`. `plaintext`
 * may not overlap the box's place in `out`.
 */
export function secretboxSealInto(
  plaintext: Uint8Array,
  nonce: Uint8Array,
  key: Uint8Array,
  out: Uint8Array,
  offset: number,
): void {
  checkSizes(nonce, key);
  const boxLength = plaintext.length + SECRETBOX_OVERHEAD;
  if (offset < 0 || offset + boxLength > out.length) throw new RangeError("secretbox output too small");
  const lib = loaded;
  if (!lib) {
    out.set(nacl.secretbox(plaintext, nonce, key), offset);
    return;
  }
  // [plaintext | box]: the box cannot be written over its own input, so they sit side by side.
  onHeap(lib, nonce, key, plaintext.length + boxLength, (heap, m, n, k) => {
    heap.set(plaintext, m);
    const c = m + plaintext.length;
    if (lib._crypto_secretbox_easy(c, m, plaintext.length, 0, n, k) !== 0) {
      throw new RangeError("crypto_secretbox_easy failed");
    }
    out.set(lib.HEAPU8.subarray(c, c + boxLength), offset);
  });
}

/**
 * Opens `box` and, only if it authenticates, writes the plaintext (box.length - 16 bytes) into `out` at
 * `offset`. False when it does not authenticate (nothing is written then).
 */
export function secretboxOpenInto(
  box: Uint8Array,
  nonce: Uint8Array,
  key: Uint8Array,
  out: Uint8Array,
  offset: number,
): boolean {
  checkSizes(nonce, key);
  if (box.length < SECRETBOX_OVERHEAD) return false;
  const length = box.length - SECRETBOX_OVERHEAD;
  if (offset < 0 || offset + length > out.length) throw new RangeError("secretbox output too small");
  const lib = loaded;
  if (!lib) {
    const plaintext = nacl.secretbox.open(box, nonce, key);
    if (!plaintext) return false;
    out.set(plaintext, offset);
    plaintext.fill(0);
    return true;
  }
  return onHeap(lib, nonce, key, box.length + length, (heap, c, n, k) => {
    heap.set(box, c);
    const m = c + box.length;
    // libsodium checks the tag over the ciphertext first and writes nothing when it does not match.
    if (lib._crypto_secretbox_open_easy(m, c, box.length, 0, n, k) !== 0) return false;
    out.set(lib.HEAPU8.subarray(m, m + length), offset);
    return true;
  });
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
