import sodium from "libsodium-wrappers";

/*
 * libsodium (WebAssembly), loaded once for the secretbox (secretbox.ts) and the wrapped keys (wrap-key.ts).
 * Both call the C functions of its Emscripten module (libsodium-wrappers exposes it as `sodium.libsodium`) on
 * the WebAssembly heap directly, so secrets are copied in once and wiped there; and both use tweetnacl, which
 * gives the same bytes, until it has loaded or where WebAssembly is refused.
 */
export interface SodiumModule {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  // Lengths are unsigned long long, passed as (low, high) 32-bit halves.
  _crypto_secretbox_easy(c: number, m: number, mLow: number, mHigh: number, n: number, k: number): number;
  _crypto_secretbox_open_easy(m: number, c: number, cLow: number, cHigh: number, n: number, k: number): number;
  _crypto_scalarmult_base(q: number, n: number): number;
  _crypto_box_seal(c: number, m: number, mLow: number, mHigh: number, pk: number): number;
  _crypto_box_seal_open(m: number, c: number, cLow: number, cHigh: number, pk: number, sk: number): number;
}

let loaded: SodiumModule | null = null;
let loading: Promise<void> | null = null;

/** Resolves once libsodium is usable (or known unusable: tweetnacl then); safe to call often. */
export function sodiumReady(): Promise<void> {
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

/** The module once loaded; null before (and where it cannot load). */
export const loadedSodium = (): SodiumModule | null => loaded;

// Start loading as soon as any crypto module is imported, so the small synchronous users get libsodium too.
void sodiumReady();
