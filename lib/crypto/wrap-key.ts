import nacl from "tweetnacl";
import { blake2b } from "@noble/hashes/blake2.js";
import { assertLength, base64ToBytes, bytesToBase64 } from "./encoding";
import { CryptoError } from "./errors";
import { KEY_LENGTH, publicKeyFromSecretKey } from "./keys";
import { loadedSodium, sodiumReady, type SodiumModule } from "./sodium";

// Wrapped key = version(1) || ephemeralPublicKey(32) || nacl.box(dataKey)(16 + 32) = 81 bytes.
// After the version byte this is exactly libsodium's crypto_box_seal: the nonce is
// blake2b-192(ephemeralPk || recipientPk). noble has blake2b, so we keep the standard
// construction rather than a sha2 variant; any libsodium can open what we seal.
//
// Sealing and opening run on libsodium's crypto_box_seal / crypto_box_seal_open (WebAssembly) once it is
// loaded, and on tweetnacl + noble's blake2b before that (or where WebAssembly is refused): the same
// construction and bytes, so either opens what the other sealed (test/unit/crypto-wrap-key.test.ts). Its
// X25519 is several times faster than tweetnacl's (about 0.15 ms against 3 ms for an unwrap here), which is
// what a page of "My records" spends per record. Key pairs stay on tweetnacl.
const WRAP_VERSION = 1;
const EPK_OFFSET = 1;
const BOX_OFFSET = EPK_OFFSET + KEY_LENGTH;
const SEALED_LENGTH = KEY_LENGTH + nacl.box.overheadLength + KEY_LENGTH;
export const WRAPPED_KEY_LENGTH = BOX_OFFSET + nacl.box.overheadLength + KEY_LENGTH;

/** Resolves once libsodium is usable (or known unusable: tweetnacl then); safe to call often. */
export const wrapKeyReady = sodiumReady;

/** Which implementation wraps and unwraps now. */
export function wrapKeyBackend(): "libsodium" | "tweetnacl" {
  return lib() ? "libsodium" : "tweetnacl";
}

/** Tests only: force tweetnacl (true) or go back to libsodium when loaded (false). */
export function forceTweetnaclForWrapKeys(force: boolean): void {
  forceTweetnacl = force;
}
let forceTweetnacl = false;

const lib = () => (forceTweetnacl ? null : loadedSodium());

// Heap area [secretKey 32 | publicKey 32 | sealed 80 | dataKey 32], wiped and freed after `body`.
const SK = 0;
const PK = KEY_LENGTH;
const SEALED = 2 * KEY_LENGTH;
const DATA = SEALED + SEALED_LENGTH;
const AREA = DATA + KEY_LENGTH;
function onHeap<T>(sodiumModule: SodiumModule, body: (base: number) => T): T {
  const base = sodiumModule._malloc(AREA);
  if (!base) throw new RangeError("wrap-key: out of WebAssembly memory");
  try {
    return body(base);
  } finally {
    sodiumModule.HEAPU8.fill(0, base, base + AREA);
    sodiumModule._free(base);
  }
}

function sealNonce(ephemeralPublicKey: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  const input = new Uint8Array(2 * KEY_LENGTH);
  input.set(ephemeralPublicKey);
  input.set(recipientPublicKey, KEY_LENGTH);
  return blake2b(input, { dkLen: nacl.box.nonceLength });
}

// Like libsodium, refuse low-order points: their shared secret is all zeros and public.
function sharedKey(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | null {
  if (nacl.scalarMult(secretKey, publicKey).every((byte) => byte === 0)) return null;
  return nacl.box.before(publicKey, secretKey);
}

function sealWithTweetnacl(dataKey: Uint8Array, recipientPublicKey: Uint8Array, wrapped: Uint8Array): void {
  const ephemeral = nacl.box.keyPair();
  const key = sharedKey(recipientPublicKey, ephemeral.secretKey);
  ephemeral.secretKey.fill(0);
  if (!key) throw new CryptoError("invalid-input", "recipient public key is a low-order point");
  const box = nacl.box.after(dataKey, sealNonce(ephemeral.publicKey, recipientPublicKey), key);
  key.fill(0);
  wrapped.set(ephemeral.publicKey, EPK_OFFSET);
  wrapped.set(box, BOX_OFFSET);
}

// crypto_box_seal: a fresh ephemeral key pair, box to the recipient; it fails (-1) on a low-order public key.
function sealWithSodium(sodiumModule: SodiumModule, dataKey: Uint8Array, recipientPublicKey: Uint8Array, wrapped: Uint8Array): void {
  onHeap(sodiumModule, (base) => {
    sodiumModule.HEAPU8.set(recipientPublicKey, base + PK);
    sodiumModule.HEAPU8.set(dataKey, base + DATA);
    if (sodiumModule._crypto_box_seal(base + SEALED, base + DATA, KEY_LENGTH, 0, base + PK) !== 0) {
      throw new CryptoError("invalid-input", "recipient public key is a low-order point");
    }
    wrapped.set(sodiumModule.HEAPU8.subarray(base + SEALED, base + SEALED + SEALED_LENGTH), EPK_OFFSET);
  });
}

export function wrapKey(dataKey: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  assertLength(dataKey, KEY_LENGTH, "data key");
  assertLength(recipientPublicKey, KEY_LENGTH, "recipient public key");
  const wrapped = new Uint8Array(WRAPPED_KEY_LENGTH);
  wrapped[0] = WRAP_VERSION;
  const sodiumModule = lib();
  if (sodiumModule) sealWithSodium(sodiumModule, dataKey, recipientPublicKey, wrapped);
  else sealWithTweetnacl(dataKey, recipientPublicKey, wrapped);
  return wrapped;
}

function openWithTweetnacl(wrapped: Uint8Array, recipientSecretKey: Uint8Array): Uint8Array | null {
  const recipientPublicKey = publicKeyFromSecretKey(recipientSecretKey);
  const ephemeralPublicKey = wrapped.subarray(EPK_OFFSET, BOX_OFFSET);
  const key = sharedKey(ephemeralPublicKey, recipientSecretKey);
  const dataKey = key && nacl.box.open.after(wrapped.subarray(BOX_OFFSET), sealNonce(ephemeralPublicKey, recipientPublicKey), key);
  key?.fill(0);
  return dataKey;
}

// crypto_box_seal_open needs the recipient's public key (for the nonce): derived here from the secret key.
// It fails (-1) on a low-order ephemeral key as on a bad tag, and writes nothing then.
function openWithSodium(sodiumModule: SodiumModule, wrapped: Uint8Array, recipientSecretKey: Uint8Array): Uint8Array | null {
  return onHeap(sodiumModule, (base) => {
    sodiumModule.HEAPU8.set(recipientSecretKey, base + SK);
    sodiumModule.HEAPU8.set(wrapped.subarray(EPK_OFFSET), base + SEALED);
    if (sodiumModule._crypto_scalarmult_base(base + PK, base + SK) !== 0) return null;
    if (sodiumModule._crypto_box_seal_open(base + DATA, base + SEALED, SEALED_LENGTH, 0, base + PK, base + SK) !== 0) return null;
    return sodiumModule.HEAPU8.slice(base + DATA, base + DATA + KEY_LENGTH);
  });
}

export function unwrapKey(wrapped: Uint8Array, recipientSecretKey: Uint8Array): Uint8Array {
  assertLength(recipientSecretKey, KEY_LENGTH, "secret key");
  if (!(wrapped instanceof Uint8Array) || wrapped.length !== WRAPPED_KEY_LENGTH) {
    throw new CryptoError("unwrap-failed", "wrapped key has the wrong length");
  }
  if (wrapped[0] !== WRAP_VERSION) {
    throw new CryptoError("unsupported-version", `wrapped key version ${wrapped[0]}`);
  }
  const sodiumModule = lib();
  const dataKey = sodiumModule ? openWithSodium(sodiumModule, wrapped, recipientSecretKey) : openWithTweetnacl(wrapped, recipientSecretKey);
  if (!dataKey) throw new CryptoError("unwrap-failed");
  return dataKey;
}

// Transport form (JSON bodies, the key store). Decoding checks the shape so the server can
// reject garbage before storing it; only the recipient can check the contents.
export function encodeWrappedKey(wrapped: Uint8Array): string {
  assertLength(wrapped, WRAPPED_KEY_LENGTH, "wrapped key");
  return bytesToBase64(wrapped);
}

export function decodeWrappedKey(text: string): Uint8Array {
  const wrapped = base64ToBytes(text);
  assertLength(wrapped, WRAPPED_KEY_LENGTH, "wrapped key");
  if (wrapped[0] !== WRAP_VERSION) {
    throw new CryptoError("unsupported-version", `wrapped key version ${wrapped[0]}`);
  }
  return wrapped;
}
